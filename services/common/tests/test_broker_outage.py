"""A broker outage: HTTP serves on, events wait in the outbox, and flow again within two
seconds of the broker's return (the reconnection wakes the relay, not a back-off timer).

The test runs a RabbitMQ node of its own (``own_rabbitmq``), kills it with SIGKILL and
starts it again; the shared broker is never touched."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aio_pika
import pytest
from runtime_harness import Harness

from deformations_devtools.testing import Infra, OwnRabbitMQ, wait_until

# The broker's return to the first events delivered, at most (End state 9).
FLOW_AGAIN_WITHIN_S = 2.0


@pytest.fixture
async def harness_on_own_broker(
    infra: Infra, own_rabbitmq: OwnRabbitMQ, database_url: str, namespace: str
) -> AsyncIterator[Harness]:
    async with AsyncExitStack() as stack:
        yield Harness(
            Infra(own_rabbitmq.url, infra.admin_database_url), database_url, namespace, stack
        )


async def _messages_in(url: str, queue: str) -> int:
    try:
        connection = await aio_pika.connect(url, timeout=2)
    except Exception:
        return -1
    try:
        declared = await (await connection.channel()).declare_queue(queue, passive=True)
        count = declared.declaration_result.message_count
        return count or 0
    finally:
        await connection.close()


async def test_events_flow_again_within_two_seconds_of_the_broker_return(
    harness_on_own_broker: Harness, own_rabbitmq: OwnRabbitMQ, namespace: str
) -> None:
    producer = await harness_on_own_broker.start_producer()
    client = producer.client
    queue = f"{namespace}.watch"
    connection = await aio_pika.connect(own_rabbitmq.url)
    try:
        channel = await connection.channel()
        watched = await channel.declare_queue(queue, durable=True)
        await watched.bind(producer.settings.events_exchange, routing_key="test.pinged.v1")
    finally:
        await connection.close()
    assert (await client.post("/pings", json={"n": 0})).status_code == 201
    await wait_until(lambda: _count_is(own_rabbitmq.url, queue, 1), what="the first event")

    own_rabbitmq.kill()
    publisher = producer.runtime.publisher
    assert publisher is not None
    await wait_until(lambda: not publisher.connected, what="the publisher to notice")
    statuses = [(await client.post("/pings", json={"n": n})).status_code for n in range(1, 11)]
    assert statuses == [201] * 10, "HTTP serves on while the broker is away"
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["degraded"] is True
    assert ready.json()["checks"]["broker"].startswith("unavailable")
    # Long enough for a doubling back-off to reach several seconds.
    await asyncio.sleep(5)

    await own_rabbitmq.start()
    back = time.monotonic()
    await wait_until(
        lambda: _count_is(own_rabbitmq.url, queue, 11), timeout_s=30, what="every event"
    )
    flowing_after_s = time.monotonic() - back
    print(f"events flowed again {flowing_after_s:.2f} s after the broker's return")
    assert flowing_after_s < FLOW_AGAIN_WITHIN_S
    assert (await client.get("/readyz")).json()["checks"]["broker"] == "ok"


async def _count_is(url: str, queue: str, expected: int) -> bool:
    return await _messages_in(url, queue) >= expected


async def test_a_service_starts_and_serves_without_the_broker(
    harness_on_own_broker: Harness, own_rabbitmq: OwnRabbitMQ, namespace: str
) -> None:
    own_rabbitmq.kill()
    producer = await harness_on_own_broker.start_producer()
    client = producer.client
    statuses = [(await client.post("/pings", json={"n": n})).status_code for n in range(5)]
    assert statuses == [201] * 5
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["degraded"] is True
    assert body["tasks"]["broker-connect"]["state"] in ("running", "restarting")
    assert "outbox-relay" not in body["tasks"]

    await own_rabbitmq.start()
    runtime = producer.runtime
    await wait_until(
        lambda: (
            runtime.task_states.get("outbox-relay") is not None
            and runtime.task_states["outbox-relay"].state == "running"
        ),
        timeout_s=20,
        what="the relay to start once the broker answers",
    )
    assert runtime.task_states["broker-connect"].state == "finished"
    # Events flow: a new one reaches a queue bound now.
    queue = f"{namespace}.late"
    connection = await aio_pika.connect(own_rabbitmq.url)
    try:
        channel = await connection.channel()
        watched = await channel.declare_queue(queue, durable=True)
        await watched.bind(producer.settings.events_exchange, routing_key="test.pinged.v1")
    finally:
        await connection.close()
    assert (await client.post("/pings", json={"n": 5})).status_code == 201
    await wait_until(lambda: _count_is(own_rabbitmq.url, queue, 1), what="a new event delivered")
    ready = (await client.get("/readyz")).json()
    assert ready["degraded"] is False and ready["checks"]["broker"] == "ok"
