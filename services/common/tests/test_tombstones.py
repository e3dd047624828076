"""Tombstones of erased people are kept for the events' maximum replay age, then pruned."""

from datetime import UTC, datetime, timedelta

from runtime_harness import Harness, pg_connect

from deformations_common.erasure import retention_cutoff
from deformations_devtools.testing import wait_until


def test_the_cutoff_is_the_retention_before_now() -> None:
    now = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert retention_cutoff(now, 90) == datetime(2026, 9, 3, 6, 0, tzinfo=UTC)


async def test_a_service_prunes_tombstones_older_than_the_retention(harness: Harness) -> None:
    consumer = await harness.start_consumer(
        erased_people_retention_days=30, tombstone_prune_interval_s=0.2
    )
    now = datetime.now(UTC)
    conn = await pg_connect(harness.database_url)
    try:
        await conn.execute(
            "INSERT INTO ponger.erased_people VALUES ('old', $1), ('young', $2)",
            now - timedelta(days=31),
            now - timedelta(days=29),
        )

        async def only_the_young_one_left() -> bool:
            rows = await conn.fetch("SELECT person_id FROM ponger.erased_people")
            return [r["person_id"] for r in rows] == ["young"]

        await wait_until(only_the_young_one_left, timeout_s=10, what="the old tombstone pruned")
    finally:
        await conn.close()
    readiness = (await consumer.client.get("/readyz")).json()
    assert readiness["tasks"]["tombstone-pruning"]["state"] == "running"
    assert await consumer.runtime.is_erased("young")
    assert not await consumer.runtime.is_erased("old")
