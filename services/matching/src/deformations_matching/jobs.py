"""Background jobs of the matching service."""

import asyncio
import gc
from datetime import timedelta

from deformations_common.logging import get_logger
from deformations_common.service import Runtime
from deformations_common.settings import Environment
from deformations_matching.service.proposals import rematch
from deformations_matching.service.uow import MatchingUow
from deformations_matching.settings import MatchingSettings

log = get_logger()


async def warm_index(runtime: Runtime[MatchingSettings]) -> None:
    """Build the offer index from the read model at start, not on the first request."""
    async with runtime.begin(MatchingUow) as uow:
        await uow.book.refreshed(uow.offers, uow.now().date())
    if runtime.settings.environment is not Environment.TEST:
        # The index is long-lived: keep the cyclic collector from rescanning it on
        # requests (not in tests, where it would pin every earlier test's garbage).
        gc.freeze()


async def rematch_periodically(runtime: Runtime[MatchingSettings]) -> None:
    interval = runtime.settings.rematch_interval_s
    if interval <= 0:
        return
    while True:
        # A schedule, not a synchronisation: the round runs every ``interval`` seconds.
        await asyncio.sleep(interval)
        try:
            async with runtime.begin(MatchingUow) as uow:
                last = await uow.proposals.last_round_at()
                # Another replica's timer may have just run a round: one per period is enough.
                due = last is None or uow.now() - last >= timedelta(seconds=interval / 2)
                if due:
                    await rematch(uow)
        except Exception as exc:  # the next round tries again
            log.warning("matching.rematch_failed", error=repr(exc)[:300])
