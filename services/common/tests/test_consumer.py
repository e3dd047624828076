"""Subscriptions on the real broker: dedup, dead-lettering with reasons, retries, limits."""

import json
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import pytest
from prometheus_client import REGISTRY
from runtime_harness import REJECTED_N, Harness, ping, standard_headers

from deformations_common.codec import encode
from deformations_common.consumer import KIND_HEADER, REASON_HEADER
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration

QUEUE = "ponger.test.pinged.v1"


def consumed(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "deformations_events_consumed_total",
        {"service": "ponger", "routing_key": "test.pinged.v1", "outcome": outcome},
    )
    return value or 0.0


async def _count(harness: Harness, n: int) -> bool:
    effects = await harness.effects()
    assert len(effects) <= n, f"{len(effects)} effects, expected {n}: a duplicate effect"
    return len(effects) == n


async def test_a_redelivered_event_has_one_effect(harness: Harness) -> None:
    await harness.start_consumer()
    message = encode(ping(1), source="pinger")
    duplicates_before = consumed("duplicate")
    for _ in range(3):
        await harness.publish_raw(message.body, dict(message.headers))
    sentinel = encode(ping(2), source="pinger")
    await harness.publish_raw(sentinel.body, dict(sentinel.headers))
    await wait_until(lambda: _count(harness, 2), what="the event and the sentinel")
    assert consumed("duplicate") - duplicates_before == 2


async def test_same_id_from_another_source_is_another_event(harness: Harness) -> None:
    await harness.start_consumer()
    message = encode(ping(1), source="pinger")
    other = {**message.headers, "ce-source": "another-pinger"}
    await harness.publish_raw(message.body, dict(message.headers))
    await harness.publish_raw(message.body, other)
    await wait_until(lambda: _count(harness, 2), what="two effects")


BAD: list[tuple[str, bytes, dict[str, Any], str]] = [
    ("malformed JSON", b"{oops", standard_headers(), "malformed"),
    ("no ce headers", b"{}", {}, "malformed"),
    (
        "unknown type",
        json.dumps({"ping_id": str(uuid4()), "n": 1}).encode(),
        standard_headers("fr.deformations.test.unheard_of.v1"),
        "unknown-type",
    ),
    (
        "schema-invalid",
        json.dumps({"ping_id": "not-a-uuid", "n": -4}).encode(),
        standard_headers(),
        "schema",
    ),
    (
        "from a service that does not produce it",
        json.dumps({"ping_id": str(uuid4()), "n": 1}).encode(),
        {**standard_headers(), "ce-source": "lending"},
        "unauthorized-producer",
    ),
    (
        "rejected by the handler",
        json.dumps({"ping_id": str(uuid4()), "n": REJECTED_N}).encode(),
        standard_headers(),
        "rejected",
    ),
]


async def test_invalid_messages_go_to_the_dlq_with_the_reason(harness: Harness) -> None:
    consumer = await harness.start_consumer()
    for _, body, headers, _ in BAD:
        await harness.publish_raw(body, headers)
    sentinel = ping(7)
    message = encode(sentinel, source="pinger")
    await harness.publish_raw(message.body, dict(message.headers))
    await wait_until(lambda: _count(harness, 1), what="the consumer to go on after bad input")
    dlq = f"{consumer.settings.queue_prefix}{QUEUE}.dlq"
    dead: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def all_dead_lettered() -> bool:
        dead.extend(await harness.drain(dlq))
        return len(dead) >= len(BAD)

    await wait_until(all_dead_lettered, what="every bad message in the DLQ")
    assert len(dead) == len(BAD)
    kinds = sorted(str(m.headers[KIND_HEADER]) for m in dead)
    assert kinds == sorted(kind for *_, kind in BAD)
    for message_in_dlq in dead:
        assert message_in_dlq.headers[REASON_HEADER]
    assert sorted(m.body for m in dead) == sorted(body for _, body, _, _ in BAD)


async def test_an_event_from_an_undeclared_producer_is_never_handled(harness: Harness) -> None:
    consumer = await harness.start_consumer()
    forged = encode(ping(1), source="pinger")
    # Well-formed and schema-valid: only its source is wrong, and that alone refuses it.
    headers = {**forged.headers, "ce-source": "matching"}
    refused_before = consumed("unauthorized")
    await harness.publish_raw(forged.body, headers)
    sentinel = encode(ping(2), source="pinger")
    await harness.publish_raw(sentinel.body, dict(sentinel.headers))
    dlq = f"{consumer.settings.queue_prefix}{QUEUE}.dlq"
    dead: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def dead_lettered() -> bool:
        dead.extend(await harness.drain(dlq))
        return bool(dead)

    await wait_until(dead_lettered, what="the forged event in the DLQ")
    await wait_until(lambda: _count(harness, 1), what="the sentinel's effect")
    assert [n for _, n in await harness.effects()] == [2]
    assert harness.behaviour.calls.count(ping_id_of(forged.body)) == 0
    assert len(dead) == 1
    assert dead[0].headers[KIND_HEADER] == "unauthorized-producer"
    assert "'matching' may not publish test.pinged.v1" in str(dead[0].headers[REASON_HEADER])
    assert dead[0].headers["ce-source"] == "matching"
    assert consumed("unauthorized") - refused_before == 1


def ping_id_of(body: bytes) -> UUID:
    return UUID(json.loads(body)["ping_id"])


async def test_a_transient_failure_is_retried_then_succeeds(harness: Harness) -> None:
    await harness.start_consumer()
    event = ping(1)
    harness.behaviour.failures_left[event.ping_id] = 2
    message = encode(event, source="pinger")
    await harness.publish_raw(message.body, dict(message.headers))
    await wait_until(lambda: _count(harness, 1), what="the effect after two retries")
    assert harness.behaviour.calls.count(event.ping_id) == 3


async def test_a_failure_that_persists_ends_in_the_dlq(harness: Harness) -> None:
    consumer = await harness.start_consumer()  # max_attempts=3 in tests
    event = ping(1)
    harness.behaviour.failures_left[event.ping_id] = 100
    message = encode(event, source="pinger")
    await harness.publish_raw(message.body, dict(message.headers))
    dlq = f"{consumer.settings.queue_prefix}{QUEUE}.dlq"
    dead: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def dead_lettered() -> bool:
        dead.extend(await harness.drain(dlq))
        return bool(dead)

    await wait_until(dead_lettered, what="the exhausted message in the DLQ")
    assert dead[0].headers[KIND_HEADER] == "exhausted"
    assert "transient failure" in str(dead[0].headers[REASON_HEADER])
    assert harness.behaviour.calls.count(event.ping_id) == 3
    assert await harness.effects() == []


async def test_a_message_that_keeps_being_returned_is_dead_lettered(harness: Harness) -> None:
    consumer = await harness.start_consumer(delivery_limit=2)
    await consumer.runtime.broker.stop()  # a consumer that dies on this message instead
    message = encode(ping(1), source="pinger")
    await harness.publish_raw(message.body, dict(message.headers))
    queue = f"{consumer.settings.queue_prefix}{QUEUE}"
    connection = await aio_pika.connect(harness.infra.amqp_url)
    try:
        channel = await connection.channel()
        q = await channel.get_queue(queue)
        returned = 0
        while (incoming := await q.get(fail=False)) is not None:
            await incoming.nack(requeue=True)
            returned += 1
            assert returned < 10, "the delivery limit never dead-lettered the message"
    finally:
        await connection.close()
    dead = await harness.drain(f"{queue}.dlq")
    assert len(dead) == 1 and dead[0].body == message.body
    deaths = dead[0].headers["x-death"]
    assert deaths[0]["reason"] == "delivery_limit"  # type: ignore[index]
