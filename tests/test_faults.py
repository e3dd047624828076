"""Faults on a real broker: RabbitMQ stopped in the middle of a flow of events.

The broker is a node of the test's own (``own_rabbitmq``), stopped and started again:
the machine's shared broker is never stopped."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from runtime_harness import Harness, ping

from deformations_common.outbox import OutboxRelay
from deformations_devtools.testing import Infra, OwnRabbitMQ, wait_until

pytestmark = pytest.mark.integration

EVENTS = 300


@pytest.fixture
async def harness(
    infra: Infra, own_rabbitmq: OwnRabbitMQ, database_url: str, namespace: str
) -> AsyncIterator[Harness]:
    async with AsyncExitStack() as stack:
        own = Infra(own_rabbitmq.url, infra.admin_database_url)
        yield Harness(own, database_url, namespace, stack)


@pytest.mark.parametrize("fault", ["stop", "kill"])
async def test_a_broker_restart_mid_flow_loses_nothing_and_duplicates_nothing(
    harness: Harness, own_rabbitmq: OwnRabbitMQ, fault: str
) -> None:
    """``stop``: RabbitMQ shuts down in order; ``kill``: SIGKILL, as a crashed node."""
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
    own_rabbitmq.stop() if fault == "stop" else own_rabbitmq.kill()
    try:
        # Commits go on while the broker is away: they wait in the outbox.
        relay = producer.runtime.relay
        assert relay is not None
        await wait_until(
            lambda: _pending_at_least(relay, 10), timeout_s=30, what="events waiting in the outbox"
        )
    finally:
        await own_rabbitmq.start()
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
