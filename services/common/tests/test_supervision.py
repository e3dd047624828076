"""Background tasks are restarted with back-off when they fail, and their state shows."""

import asyncio
import contextlib

from prometheus_client import REGISTRY

from deformations_common.supervision import TaskState, supervise
from deformations_devtools.testing import wait_until


async def test_a_failing_task_is_restarted_and_counted() -> None:
    state = TaskState("flaky")
    runs: list[int] = []
    release = asyncio.Event()

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) <= 2:
            raise RuntimeError(f"failure {len(runs)}")
        await release.wait()

    task = asyncio.create_task(supervise("svc", state, flaky, first_pause_s=0.01))
    await wait_until(lambda: len(runs) == 3 and state.state == "running", timeout_s=5)
    assert state.restarts == 2 and state.last_error == "RuntimeError('failure 2')"
    labels = {"service": "svc", "task": "flaky"}
    assert REGISTRY.get_sample_value("deformations_background_task_restarts_total", labels) == 2
    assert REGISTRY.get_sample_value("deformations_background_task_up", labels) == 1
    release.set()
    await task
    assert state.state == "finished"
    assert REGISTRY.get_sample_value("deformations_background_task_up", labels) == 0


async def test_a_cancelled_task_is_stopped_not_restarted() -> None:
    state = TaskState("forever")
    task = asyncio.create_task(supervise("svc", state, asyncio.Event().wait))
    await wait_until(lambda: state.state == "running", timeout_s=5)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert state.state == "stopped" and state.restarts == 0
