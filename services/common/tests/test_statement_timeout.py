"""Every statement and every acquire has a deadline (settings): a stuck query or an
exhausted pool ends in an error instead of holding a request or a message for ever."""

import time
from contextlib import AsyncExitStack

import asyncpg
import pytest
from runtime_harness import Harness

from deformations_common import db
from deformations_devtools.testing import Infra


async def test_a_statement_past_its_deadline_is_cancelled_and_an_acquire_gives_up(
    infra: Infra, database_url: str, namespace: str
) -> None:
    async with AsyncExitStack() as stack:
        harness = Harness(infra, database_url, namespace, stack)
        service = await harness.start_producer(
            db_statement_timeout_ms=300, db_acquire_timeout_s=0.5, db_pool_min=1, db_pool_max=1
        )
        pool = service.runtime.pool
        started = time.monotonic()
        with pytest.raises(asyncpg.QueryCanceledError):
            await pool.fetchval("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 3
        # A statement timeout is the work's own failure, not an outage.
        assert not db.is_unavailable(asyncpg.QueryCanceledError("canceling statement"))

        async with pool.acquire():
            started = time.monotonic()
            with pytest.raises(db.DatabaseUnavailable):
                async with pool.acquire():
                    pass
            assert time.monotonic() - started < 3
        assert await pool.fetchval("SELECT 1") == 1
