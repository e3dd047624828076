"""Background tasks that do not die silently: restarted with back-off, their state shown.

The outbox relay, senders and jobs of a service each run under ``supervise``: when one
fails it is logged, counted and restarted after a pause that doubles (up to a cap) and
resets once the task has run well for a while. ``/readyz`` and the metrics
``deformations_background_task_up`` and ``…_restarts_total`` show each task's state.
"""

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from deformations_common import metrics
from deformations_common.logging import get_logger

log = get_logger()


@dataclass
class TaskState:
    name: str
    state: str = "starting"  # running, restarting, finished, stopped
    restarts: int = 0
    last_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "restarts": self.restarts, "last_error": self.last_error}


async def supervise(
    service: str,
    state: TaskState,
    run: Callable[[], Coroutine[Any, Any, None]],
    *,
    first_pause_s: float = 1.0,
    max_pause_s: float = 30.0,
    healthy_after_s: float = 60.0,
) -> None:
    """Run ``run()`` until it returns, restarting it whenever it raises."""
    up = metrics.BACKGROUND_TASK_UP.labels(service, state.name)
    pause = first_pause_s
    try:
        while True:
            state.state = "running"
            up.set(1)
            started = time.monotonic()
            try:
                await run()
            except Exception as exc:
                up.set(0)
                if time.monotonic() - started > healthy_after_s:
                    pause = first_pause_s
                state.state, state.last_error = "restarting", repr(exc)[:300]
                state.restarts += 1
                metrics.BACKGROUND_TASK_RESTARTS.labels(service, state.name).inc()
                log.error(
                    "supervision.task_failed",
                    service=service,
                    task=state.name,
                    restart_in_s=pause,
                    error=repr(exc)[:300],
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, max_pause_s)
                continue
            state.state = "finished"
            up.set(0)
            return
    except asyncio.CancelledError:
        state.state = "stopped"
        up.set(0)
        raise
