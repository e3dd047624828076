"""SQL of the ``responses`` table: one row per completed quiz, its answers and its result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection


@dataclass(frozen=True)
class StoredResponse:
    id: UUID
    questionnaire_version: str
    person_id: str | None
    result: dict[str, Any]
    created_at: datetime
    campaign_id: UUID | None
    commune_insee: str | None
    shared: bool


@dataclass(frozen=True)
class NewResponse:
    """A scored quiz to store; ``created_at`` is the unit of work's time."""

    id: UUID
    submission_id: UUID
    questionnaire_version: str
    person_id: str | None
    answers: dict[str, list[str]]
    result: dict[str, Any]
    family: str
    created_at: datetime
    campaign_id: UUID | None = None
    commune_insee: str | None = None
    shared: bool = False


_COLUMNS = """id, questionnaire_version, person_id, result, created_at,
              campaign_id, commune_insee, shared"""


class ResponseRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, response: NewResponse) -> bool:
        """Store a response; ``False`` when its submission was already stored (a replay)."""
        stored: UUID | None = await self.conn.fetchval(
            """INSERT INTO responses (id, submission_id, questionnaire_version, person_id,
                                      answers, result, family, created_at, campaign_id,
                                      commune_insee, shared)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (submission_id) DO NOTHING
               RETURNING id""",
            response.id,
            response.submission_id,
            response.questionnaire_version,
            response.person_id,
            response.answers,
            response.result,
            response.family,
            response.created_at,
            response.campaign_id,
            response.commune_insee,
            response.shared,
        )
        return stored is not None

    async def unshare_earlier(self, campaign_id: UUID, person_id: str, newest: UUID) -> int:
        """Her earlier shared responses of the campaign stop counting for the team: only
        ``newest`` does. Returns how many stopped."""
        status: str = await self.conn.execute(
            """UPDATE responses SET shared = false
               WHERE campaign_id = $1 AND person_id = $2 AND shared AND id <> $3""",
            campaign_id,
            person_id,
            newest,
        )
        return int(status.split()[-1])

    async def get(self, response_id: UUID) -> StoredResponse | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM responses WHERE id = $1", response_id
        )
        return StoredResponse(**dict(row.items())) if row else None

    async def of_person(self, person_id: str, limit: int) -> list[StoredResponse]:
        """The person's latest ``limit`` responses, newest first."""
        rows = await self.conn.fetch(
            f"""SELECT {_COLUMNS} FROM responses WHERE person_id = $1
                ORDER BY created_at DESC, id DESC LIMIT $2""",
            person_id,
            limit,
        )
        return [StoredResponse(**dict(row.items())) for row in rows]

    async def id_of_submission(self, submission_id: UUID) -> UUID | None:
        response_id: UUID | None = await self.conn.fetchval(
            "SELECT id FROM responses WHERE submission_id = $1", submission_id
        )
        return response_id

    async def shared_results(self, campaign_id: UUID) -> list[tuple[str, dict[str, Any]]]:
        """(commune INSEE, result) of every response of the campaign shared with the team."""
        rows = await self.conn.fetch(
            """SELECT commune_insee, result FROM responses
               WHERE campaign_id = $1 AND shared ORDER BY created_at, id""",
            campaign_id,
        )
        return [(row["commune_insee"], row["result"]) for row in rows]

    async def count_for_campaign(self, campaign_id: UUID) -> tuple[int, int]:
        """(all responses, shared responses) of a campaign."""
        row = await self.conn.fetchrow(
            """SELECT count(*) AS total, count(*) FILTER (WHERE shared) AS shared
               FROM responses WHERE campaign_id = $1""",
            campaign_id,
        )
        assert row is not None
        return int(row["total"]), int(row["shared"])

    async def answers_of_version(self, version: str, limit: int) -> list[dict[str, list[str]]]:
        """The answers of the latest ``limit`` responses to one questionnaire version."""
        rows = await self.conn.fetch(
            """SELECT answers FROM responses WHERE questionnaire_version = $1
               ORDER BY created_at DESC LIMIT $2""",
            version,
            limit,
        )
        return [row["answers"] for row in rows]

    async def detach_person(self, person_id: str) -> int:
        """Forget who gave the responses of a person: results stay, anonymous."""
        status: str = await self.conn.execute(
            "UPDATE responses SET person_id = NULL WHERE person_id = $1", person_id
        )
        return int(status.split()[-1])
