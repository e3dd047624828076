"""SQL of the ``questionnaire_versions`` table: operators' uploads and their publication."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asyncpg import Record

from deformations_common.db import Connection


@dataclass(frozen=True)
class StoredVersion:
    version: str
    title: str
    uploaded_at: datetime
    published_at: datetime | None

    @property
    def published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class PublishedSource:
    """A published version; ``source`` only for those the caller did not know yet."""

    version: str
    source: str | None


def _stored(row: Record) -> StoredVersion:
    return StoredVersion(row["version"], row["title"], row["uploaded_at"], row["published_at"])


class QuestionnaireVersionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, version: str, *, for_update: bool = False) -> StoredVersion | None:
        row = await self.conn.fetchrow(
            "SELECT version, title, uploaded_at, published_at FROM questionnaire_versions "
            "WHERE version = $1" + (" FOR UPDATE" if for_update else ""),
            version,
        )
        return _stored(row) if row else None

    async def source(self, version: str) -> str | None:
        found: str | None = await self.conn.fetchval(
            "SELECT source FROM questionnaire_versions WHERE version = $1", version
        )
        return found

    async def save_draft(
        self, version: str, title: str, source: str, by: str, at: datetime
    ) -> bool:
        """Store or replace an unpublished draft; False when the version is published."""
        status: str = await self.conn.execute(
            """INSERT INTO questionnaire_versions (version, source, title, uploaded_by,
                                                   uploaded_at)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (version) DO UPDATE
                   SET source = excluded.source, title = excluded.title,
                       uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at
                   WHERE questionnaire_versions.published_at IS NULL""",
            version,
            source,
            title,
            by,
            at,
        )
        return status.endswith(" 1")

    async def publish(self, version: str, by: str, at: datetime) -> None:
        await self.conn.execute(
            """UPDATE questionnaire_versions SET published_by = $2, published_at = $3
               WHERE version = $1 AND published_at IS NULL""",
            version,
            by,
            at,
        )

    async def listing(self) -> list[StoredVersion]:
        rows = await self.conn.fetch(
            "SELECT version, title, uploaded_at, published_at FROM questionnaire_versions "
            "ORDER BY uploaded_at DESC, version DESC"
        )
        return [_stored(r) for r in rows]

    async def published(self, known: Sequence[str]) -> list[PublishedSource]:
        """Every published version, oldest publication first (the last is the current one),
        with its source unless it is in ``known``."""
        rows = await self.conn.fetch(
            """SELECT version,
                      CASE WHEN version = ANY($1::text[]) THEN NULL ELSE source END AS source
               FROM questionnaire_versions WHERE published_at IS NOT NULL
               ORDER BY published_at, version""",
            list(known),
        )
        return [PublishedSource(r["version"], r["source"]) for r in rows]

    async def forget_person(self, person_id: str) -> None:
        await self.conn.execute(
            "UPDATE questionnaire_versions SET uploaded_by = NULL WHERE uploaded_by = $1",
            person_id,
        )
        await self.conn.execute(
            "UPDATE questionnaire_versions SET published_by = NULL WHERE published_by = $1",
            person_id,
        )
