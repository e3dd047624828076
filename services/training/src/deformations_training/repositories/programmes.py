"""Programmes (one JSON document per aggregate), the carnet de bord's private entries and
the non-conférence's open space."""

from __future__ import annotations

from uuid import UUID

from asyncpg import Record
from pydantic import TypeAdapter

from deformations_common.db import Connection
from deformations_training.domain.boussole import Boussole
from deformations_training.domain.carnet import CarnetEntry, EntryKind
from deformations_training.domain.enquete import Enquete
from deformations_training.domain.open_space import OpenSpace
from deformations_training.domain.programmes import Programme

_PROGRAMME = TypeAdapter(Programme)


def _programme(row: Record) -> Programme:
    # The pool decodes jsonb; the document holds ISO dates and UUIDs as strings.
    return _PROGRAMME.validate_python(row["state"])


def _entry(row: Record) -> CarnetEntry:
    return CarnetEntry(
        id=row["id"],
        programme_id=row["programme_id"],
        author_id=row["author_id"],
        kind=EntryKind(row["kind"]),
        title=row["title"],
        body=row["body"],
        tags=list(row["tags"]),
        offer_id=row["offer_id"],
        url=row["url"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        shared_at=row["shared_at"],
    )


class ProgrammeRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, programme: Programme) -> None:
        await self.conn.execute(
            "INSERT INTO programmes (id, recipe_code, territory_siren, facilitator_id, status,"
            " started_at, closed_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            programme.id,
            programme.recipe_code,
            programme.territory_siren,
            programme.facilitator_id,
            programme.status.value,
            programme.started_at,
            programme.closed_at,
            _PROGRAMME.dump_python(programme, mode="json"),
        )
        await self._people(programme)

    async def get(self, programme_id: UUID, *, for_update: bool = False) -> Programme | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(
            f"SELECT state FROM programmes WHERE id = $1{lock}", programme_id
        )
        return _programme(row) if row else None

    async def save(self, programme: Programme) -> None:
        await self.conn.execute(
            "UPDATE programmes SET status = $2, closed_at = $3, state = $4, facilitator_id = $5"
            " WHERE id = $1",
            programme.id,
            programme.status.value,
            programme.closed_at,
            _PROGRAMME.dump_python(programme, mode="json"),
            programme.facilitator_id,
        )
        await self.conn.execute(
            "DELETE FROM programme_people WHERE programme_id = $1 AND NOT person_id = ANY($2)",
            programme.id,
            [p.person_id for p in programme.participants],
        )
        await self._people(programme)

    async def _people(self, programme: Programme) -> None:
        await self.conn.executemany(
            "INSERT INTO programme_people (programme_id, person_id, status) VALUES ($1, $2, $3)"
            " ON CONFLICT (programme_id, person_id) DO UPDATE SET status = EXCLUDED.status",
            [(programme.id, p.person_id, p.status.value) for p in programme.participants],
        )

    async def of_person(self, person_id: str, *, for_update: bool = False) -> list[Programme]:
        """The programmes a person leads or is invited to, newest first."""
        rows = await self.conn.fetch(
            "SELECT state FROM programmes p WHERE facilitator_id = $1"
            " OR EXISTS (SELECT 1 FROM programme_people pp WHERE pp.programme_id = p.id"
            " AND pp.person_id = $1) ORDER BY started_at DESC, id"
            + (" FOR UPDATE" if for_update else ""),
            person_id,
        )
        return [_programme(r) for r in rows]

    async def by_recipe(self, recipe_code: str) -> list[Programme]:
        rows = await self.conn.fetch(
            "SELECT state FROM programmes WHERE recipe_code = $1 ORDER BY started_at DESC, id",
            recipe_code,
        )
        return [_programme(r) for r in rows]

    async def announce(self, session_id: UUID, programme_id: UUID) -> tuple[int, bool]:
        """Raise the session's announced sequence; (sequence, first announcement)."""
        row = await self.conn.fetchrow(
            "INSERT INTO programme_sessions_announced (session_id, programme_id, sequence)"
            " VALUES ($1, $2, 0) ON CONFLICT (session_id) DO UPDATE"
            " SET sequence = programme_sessions_announced.sequence + 1"
            " RETURNING sequence",
            session_id,
            programme_id,
        )
        assert row is not None
        sequence: int = row["sequence"]
        return sequence, sequence == 0


class CarnetRepository:
    """Every read names its reader: the SQL itself never returns another's private entry."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, entry: CarnetEntry) -> None:
        await self.conn.execute(
            "INSERT INTO carnet_entries (id, programme_id, author_id, kind, title, body, tags,"
            " offer_id, url, created_at, updated_at, shared_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            entry.id,
            entry.programme_id,
            entry.author_id,
            entry.kind.value,
            entry.title,
            entry.body,
            entry.tags,
            entry.offer_id,
            entry.url,
            entry.created_at,
            entry.updated_at,
            entry.shared_at,
        )

    async def own(self, entry_id: UUID, author_id: str) -> CarnetEntry | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM carnet_entries WHERE id = $1 AND author_id = $2 FOR UPDATE",
            entry_id,
            author_id,
        )
        return _entry(row) if row else None

    async def save(self, entry: CarnetEntry) -> None:
        await self.conn.execute(
            "UPDATE carnet_entries SET title = $2, body = $3, tags = $4, url = $5,"
            " updated_at = $6, shared_at = $7 WHERE id = $1 AND author_id = $8",
            entry.id,
            entry.title,
            entry.body,
            entry.tags,
            entry.url,
            entry.updated_at,
            entry.shared_at,
            entry.author_id,
        )

    async def of_author(self, programme_id: UUID, author_id: str) -> list[CarnetEntry]:
        rows = await self.conn.fetch(
            "SELECT * FROM carnet_entries WHERE programme_id = $1 AND author_id = $2"
            " ORDER BY created_at DESC, id",
            programme_id,
            author_id,
        )
        return [_entry(r) for r in rows]

    async def shared(self, programme_id: UUID) -> list[CarnetEntry]:
        """Entries shared with the programme's coach (the caller checks it is the coach)."""
        rows = await self.conn.fetch(
            "SELECT * FROM carnet_entries WHERE programme_id = $1 AND shared_at IS NOT NULL"
            " ORDER BY shared_at DESC, id",
            programme_id,
        )
        return [_entry(r) for r in rows]

    async def visible(self, entry_id: UUID, reader_id: str) -> CarnetEntry | None:
        """One entry, if the reader is its author or the coach of a shared entry."""
        row = await self.conn.fetchrow(
            "SELECT e.* FROM carnet_entries e JOIN programmes p ON p.id = e.programme_id"
            " WHERE e.id = $1 AND (e.author_id = $2"
            " OR (e.shared_at IS NOT NULL AND p.facilitator_id = $2))",
            entry_id,
            reader_id,
        )
        return _entry(row) if row else None


_OPEN_SPACE = TypeAdapter(OpenSpace)


class OpenSpaceRepository:
    """Read and written under the programme's row lock, taken first by the use case."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, programme_id: UUID) -> OpenSpace | None:
        row = await self.conn.fetchrow(
            "SELECT state FROM open_spaces WHERE programme_id = $1", programme_id
        )
        return _OPEN_SPACE.validate_python(row["state"]) if row else None

    async def save(self, space: OpenSpace) -> None:
        await self.conn.execute(
            "INSERT INTO open_spaces (programme_id, state) VALUES ($1, $2)"
            " ON CONFLICT (programme_id) DO UPDATE SET state = EXCLUDED.state",
            space.programme_id,
            _OPEN_SPACE.dump_python(space, mode="json"),
        )


_BOUSSOLE = TypeAdapter(Boussole)


class BoussoleRepository:
    """Read and written under the programme's row lock, taken first by the use case."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, programme_id: UUID) -> Boussole | None:
        row = await self.conn.fetchrow(
            "SELECT state FROM boussoles WHERE programme_id = $1", programme_id
        )
        return _BOUSSOLE.validate_python(row["state"]) if row else None

    async def save(self, boussole: Boussole) -> None:
        await self.conn.execute(
            "INSERT INTO boussoles (programme_id, state) VALUES ($1, $2)"
            " ON CONFLICT (programme_id) DO UPDATE SET state = EXCLUDED.state",
            boussole.programme_id,
            _BOUSSOLE.dump_python(boussole, mode="json"),
        )


_ENQUETE = TypeAdapter(Enquete)


class EnqueteRepository:
    """Read and written under the programme's row lock, taken first by the use case."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, programme_id: UUID) -> Enquete | None:
        row = await self.conn.fetchrow(
            "SELECT state FROM enquetes WHERE programme_id = $1", programme_id
        )
        return _ENQUETE.validate_python(row["state"]) if row else None

    async def save(self, enquete: Enquete) -> None:
        await self.conn.execute(
            "INSERT INTO enquetes (programme_id, state) VALUES ($1, $2)"
            " ON CONFLICT (programme_id) DO UPDATE SET state = EXCLUDED.state",
            enquete.programme_id,
            _ENQUETE.dump_python(enquete, mode="json"),
        )
