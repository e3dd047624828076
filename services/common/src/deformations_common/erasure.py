"""Tombstones of erased people, in every service's own schema (runtime migration 005).

Each service records one when it erases a person, and looks it up before it stores
anything about a person again (a late event, a token issued before the erasure).

Retention: a tombstone is needed only while something issued before the erasure can
still arrive. Tokens live minutes (portal tokens at most 300 s), retries minutes, an
outage is waited out in hours; what lasts longest is a dead letter, which an operator may
redrive later: a letter older than ``ERASED_PEOPLE_RETENTION_DAYS`` (the events' maximum
replay age) is refused by ``dlq redrive``. So a tombstone older than that protects nothing
more and is pruned (``prune_tombstones``, a supervised job of every service): the id of an
erased person is not kept for ever.
"""

import asyncio
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta

from deformations_common.db import Connection
from deformations_common.logging import get_logger
from deformations_common.vocabulary.clock import Clock

log = get_logger()


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

    async def prune(self, erased_before: datetime) -> int:
        """Remove the tombstones of erasures older than ``erased_before``; how many."""
        status: str = await self.conn.execute(
            "DELETE FROM erased_people WHERE erased_at < $1", erased_before
        )
        return int(status.rsplit(" ", 1)[-1])

    async def erased_among(self, person_ids: Iterable[str]) -> set[str]:
        wanted = list(set(person_ids))
        if not wanted:
            return set()
        rows = await self.conn.fetch(
            "SELECT person_id FROM erased_people WHERE person_id = ANY($1::text[])", wanted
        )
        return {r["person_id"] for r in rows}


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """Tombstones of erasures before this moment have outlived every replay."""
    return now - timedelta(days=retention_days)


async def prune_tombstones(
    transaction: Callable[[], AbstractAsyncContextManager[Connection]],
    clock: Clock,
    retention_days: int,
    interval_s: float,
) -> None:
    """Prune old tombstones now, then every ``interval_s`` (one transaction each time)."""
    while True:
        async with transaction() as conn:
            pruned = await ErasedPeopleRepository(conn).prune(
                retention_cutoff(clock(), retention_days)
            )
        if pruned:
            log.info("erasure.tombstones_pruned", count=pruned, retention_days=retention_days)
        await asyncio.sleep(interval_s)
