"""Background jobs: questionnaires due and their reminders, one-year rebond reminders,
groups to settle.

Each round runs every use case in its own unit of work on the runtime's clock; a
failing round is logged and the next one tries again.
"""

import asyncio

from deformations_common.logging import get_logger
from deformations_common.service import Runtime
from deformations_training.service import followups
from deformations_training.service.uow import TrainingUow
from deformations_training.settings import TrainingSettings

log = get_logger()

ROUND = (
    followups.settle_closed_groups,
    followups.announce_due_evaluations,
    followups.remind_unanswered_evaluations,
    followups.send_rebond_reminders,
)


async def run_round(runtime: Runtime[TrainingSettings]) -> dict[str, int]:
    done: dict[str, int] = {}
    for step in ROUND:
        async with runtime.begin(TrainingUow) as uow:
            done[step.__name__] = await step(uow)
    return done


async def follow_ups(runtime: Runtime[TrainingSettings]) -> None:
    interval = runtime.settings.jobs_interval_s
    if interval <= 0:
        return
    while True:
        try:
            done = await run_round(runtime)
            if any(done.values()):
                log.info("training.follow_ups_done", **done)
        except Exception as exc:  # the next round tries again
            log.warning("training.follow_ups_failed", error=repr(exc)[:300])
        # A schedule, not a synchronisation: rounds run every ``interval`` seconds.
        await asyncio.sleep(interval)
