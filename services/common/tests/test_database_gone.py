"""A database that does not exist (dropped, or not yet created by the operator) is an
outage like a stopped server: HTTP answers 503 in French with Retry-After, not a 500,
and the probe that waits for it says so without a line per attempt."""

import asyncio
from contextlib import AsyncExitStack
from typing import Any

import asyncpg
import structlog
from runtime_harness import Harness

from deformations_common import db
from deformations_devtools.testing import Infra, drop_database, wait_until


async def test_a_missing_database_answers_503_not_500(
    infra: Infra, database_url: str, namespace: str
) -> None:
    async with AsyncExitStack() as stack:
        harness = Harness(infra, database_url, namespace, stack)
        producer = await harness.start_producer(db_acquire_timeout_s=1.0, db_pool_min=1)
        client = producer.client
        assert (await client.post("/pings", json={"n": 1})).status_code == 201

        await drop_database(infra.admin_database_url, database_url)
        for _ in range(3):
            answer = await client.post("/pings", json={"n": 2})
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["retry-after"] == "5"
            problem = answer.json()
            assert problem["code"] == "database_unavailable"
            assert problem["title"] == "Service momentanément indisponible"
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("unavailable")


class _NoDatabase:
    """A pool whose every acquire meets a database that does not exist."""

    def __init__(self) -> None:
        self.acquires = 0

    async def expire_connections(self) -> None:
        return None

    def acquire(self, *, timeout: float | None = None) -> Any:
        self.acquires += 1
        raise asyncpg.InvalidCatalogNameError('database "gone" does not exist')


async def test_the_probe_logs_an_outage_once_then_reminds_and_says_when_it_ends() -> None:
    pool = _NoDatabase()
    gate = db.DatabaseGate(lambda: pool, "pinger", first_s=0.001, max_s=0.001)  # type: ignore[arg-type, return-value]
    gate.REMINDER_S = 0.2
    with structlog.testing.capture_logs() as lines:
        probe = gate.kick()
        await wait_until(lambda: pool.acquires >= 50, what="the probe retrying")
        assert not gate.up and not probe.done()
        down = [line for line in lines if line["event"].startswith("db.")]
        # Fifty failed attempts are not fifty lines: the start, then a reminder at most
        # every REMINDER_S.
        assert down[0]["event"] == "db.database_unavailable"
        assert down[0]["log_level"] == "warning"
        assert len(down) < 10
        await wait_until(
            lambda: any(line["event"] == "db.still_unavailable" for line in lines),
            what="a reminder that the database is still away",
        )
        gate.stop()
        await asyncio.gather(probe, return_exceptions=True)
        assert probe.cancelled()
