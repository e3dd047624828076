"""Tombstones of erased people, in every service's own schema (runtime migration 005).

Each service records one when it erases a person, and looks it up before it stores
anything about a person again (a late event, a token issued before the erasure).
"""

from collections.abc import Iterable
from datetime import datetime

from deformations_common.db import Connection


class ErasedPeopleRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(self, person_id: str, erased_at: datetime) -> None:
        """The first erasure's date stays: a repeated request changes nothing."""
        await self.conn.execute(
            "INSERT INTO erased_people (person_id, erased_at) VALUES ($1, $2)"
            " ON CONFLICT (person_id) DO NOTHING",
            person_id,
            erased_at,
        )

    async def is_erased(self, person_id: str) -> bool:
        return bool(
            await self.conn.fetchval(
                "SELECT true FROM erased_people WHERE person_id = $1", person_id
            )
        )

    async def erased_among(self, person_ids: Iterable[str]) -> set[str]:
        wanted = list(set(person_ids))
        if not wanted:
            return set()
        rows = await self.conn.fetch(
            "SELECT person_id FROM erased_people WHERE person_id = ANY($1::text[])", wanted
        )
        return {r["person_id"] for r in rows}
