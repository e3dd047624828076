"""Background jobs of the matching service."""

import asyncio
import gc
from datetime import UTC, datetime, timedelta

from deformations_common.logging import get_logger
from deformations_common.service import Runtime
from deformations_common.settings import Environment
from deformations_matching.book import book_for
from deformations_matching.rematch import RoundSummary, run_round
from deformations_matching.repositories import proposals
from deformations_matching.settings import MatchingSettings

log = get_logger()


async def warm_index(runtime: Runtime[MatchingSettings]) -> None:
    """Build the offer index from the read model at start, not on the first request."""
    async with runtime.pool.acquire() as conn:
        await book_for(runtime.settings).refreshed(conn)
    if runtime.settings.environment is not Environment.TEST:
        # The index is long-lived: keep the cyclic collector from rescanning it on
        # requests (not in tests, where it would pin every earlier test's garbage).
        gc.freeze()


async def rematch_now(runtime: Runtime[MatchingSettings]) -> RoundSummary:
    settings = runtime.settings
    k = settings.rematch_candidates if isinstance(settings, MatchingSettings) else 8
    async with runtime.transaction() as conn:
        return await run_round(
            conn,
            book_for(settings),
            emit_many=runtime.emit_many,
            now=datetime.now(UTC),
            candidates_per_request=k,
        )


async def rematch_periodically(runtime: Runtime[MatchingSettings]) -> None:
    settings = runtime.settings
    interval = settings.rematch_interval_s if isinstance(settings, MatchingSettings) else 0
    if interval <= 0:
        return
    while True:
        # A schedule, not a synchronisation: the round runs every ``interval`` seconds.
        await asyncio.sleep(interval)
        try:
            async with runtime.pool.acquire() as conn:
                last = await proposals.last_round_at(conn)
            # Another replica's timer may have just run a round: one per period is enough.
            if last is None or datetime.now(UTC) - last >= timedelta(seconds=interval / 2):
                await rematch_now(runtime)
        except Exception as exc:  # the next round tries again
            log.warning("matching.rematch_failed", error=repr(exc)[:300])
