"""Faults on the real broker: RabbitMQ restarted in the middle of a flow of events."""

import asyncio
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from runtime_harness import Harness, ping

from deformations_common.outbox import OutboxRelay
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration

EVENTS = 300


def _restartable(amqp_url: str) -> str | None:
    """Why the broker cannot be restarted from here, or None when it can."""
    if shutil.which("rabbitmqctl") is None:
        return "rabbitmqctl is not installed here"
    if urlsplit(amqp_url).hostname not in {"127.0.0.1", "localhost"}:
        return "the broker under test is not the local one"
    return None


async def _rabbitmqctl(*args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", *args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def test_a_broker_restart_mid_flow_loses_nothing_and_duplicates_nothing(
    harness: Harness,
) -> None:
    reason = _restartable(harness.infra.amqp_url)
    if reason:
        pytest.skip(reason)
    await harness.start_consumer()
    producer = await harness.start_producer()

    async def produce() -> None:
        for n in range(EVENTS):
            # Each event is its own unit of work, committed whatever the broker is doing.
            async with producer.runtime.transaction() as conn:
                await producer.runtime.emit(conn, ping(n))
            await asyncio.sleep(0.01)  # a steady flow, not a burst

    flow = asyncio.create_task(produce())
    await wait_until(lambda: _at_least(harness, 30), what="the flow to be under way")
    await _rabbitmqctl("stop_app")
    try:
        # Commits go on while the broker is away: they wait in the outbox.
        relay = producer.runtime.relay
        assert relay is not None
        await wait_until(
            lambda: _pending_at_least(relay, 10), timeout_s=30, what="events waiting in the outbox"
        )
    finally:
        await _rabbitmqctl("start_app")
        await _rabbitmqctl("await_startup")
    await flow
    await wait_until(lambda: _at_least(harness, EVENTS), timeout_s=180, what="every event")
    effects = await harness.effects()
    assert len(effects) == EVENTS
    assert sorted(n for _, n in effects) == list(range(EVENTS))

    async def ready() -> bool:
        response = await producer.client.get("/readyz")
        return response.status_code == 200

    await wait_until(ready, timeout_s=60, what="the producer to reconnect")


async def _pending_at_least(relay: OutboxRelay, n: int) -> bool:
    return await relay.pending_count() >= n


async def _at_least(harness: Harness, n: int) -> bool:
    effects = await harness.effects()
    assert len(effects) == len({p for p, _ in effects}), "an event had two effects"
    return len(effects) >= n
