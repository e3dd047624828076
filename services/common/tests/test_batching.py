"""Batchable handlers on the real broker and database: events that wait for a transaction
are handled together, each once, and a failing event never takes the others with it."""

import asyncio
from typing import Any

import aio_pika
import pytest
from prometheus_client import REGISTRY
from runtime_harness import REJECTED_N, Harness, pg_connect, ping

from deformations_common.codec import OutgoingMessage, encode
from deformations_common.consumer import KIND_HEADER, _Batches, _Pending
from deformations_common.messaging import publish_once
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration

QUEUE = "ponger.test.pinged.v1"
LABELS = {"service": "ponger", "routing_key": "test.pinged.v1"}


def batches() -> tuple[float, float]:
    """(batches, events in them) handled so far in shared transactions."""
    count = REGISTRY.get_sample_value("deformations_event_batch_size_count", LABELS) or 0.0
    total = REGISTRY.get_sample_value("deformations_event_batch_size_sum", LABELS) or 0.0
    return count, total


def splits() -> float:
    return REGISTRY.get_sample_value("deformations_event_batches_split_total", LABELS) or 0.0


def consumed(outcome: str) -> float:
    labels = {**LABELS, "outcome": outcome}
    return REGISTRY.get_sample_value("deformations_events_consumed_total", labels) or 0.0


async def publish(harness: Harness, messages: list[OutgoingMessage]) -> None:
    await publish_once(harness.infra.amqp_url, f"deformations.events.{harness.namespace}", messages)


async def pile_up(
    harness: Harness, messages: list[OutgoingMessage], *, release: bool = True, **settings: Any
) -> None:
    """Publish ``messages`` while the consumer's only transaction slot is held by a first
    event, wait until all of them are delivered to it, then let the first one go."""
    harness.behaviour.hold = asyncio.Event()
    consumer = await harness.start_consumer(batchable=True, consumer_transactions=1, **settings)
    await publish(harness, [encode(ping(0), source="pinger")])
    await wait_until(lambda: len(harness.behaviour.calls) == 1, what="the first event held")
    await publish(harness, messages)
    queue = f"{consumer.settings.queue_prefix}{QUEUE}"
    await wait_until(
        lambda: _all_delivered(harness, queue), what="every event delivered to the consumer"
    )
    if release:
        harness.behaviour.hold.set()


async def _all_delivered(harness: Harness, queue: str) -> bool:
    return await harness.ready(queue) == 0


async def effects_once(harness: Harness, n: int) -> bool:
    effects = await harness.effects()
    ids = [ping_id for ping_id, _ in effects]
    assert len(ids) == len(set(ids)), "an event had two effects"
    return len(ids) == n


async def test_events_waiting_for_a_transaction_are_handled_together(harness: Harness) -> None:
    before = batches()
    messages = [encode(ping(n), source="pinger") for n in range(1, 41)]
    await pile_up(harness, messages)
    await wait_until(lambda: effects_once(harness, 41), what="41 effects")
    count, total = (now - then for now, then in zip(batches(), before, strict=True))
    # 40 events waited behind the first: they went in a few shared transactions, not 40.
    assert total == 40
    assert 1 <= count <= 4
    assert sorted(n for _, n in await harness.effects()) == list(range(41))


async def test_a_failing_event_fails_alone_and_the_others_are_handled_once(
    harness: Harness,
) -> None:
    flaky = ping(5)
    harness.behaviour.failures_left[flaky.ping_id] = 1
    good = [ping(n) for n in range(1, 30) if n != 5]
    rejected = ping(REJECTED_N)
    events = [*good[:10], flaky, *good[10:20], rejected, *good[20:]]
    await pile_up(harness, [encode(e, source="pinger") for e in events])

    # The held event, the good ones and the flaky one after its retry: once each.
    await wait_until(lambda: effects_once(harness, 1 + len(good) + 1), what="every effect")
    dlq = f"{harness.namespace}.{QUEUE}.dlq"
    dead: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def dead_lettered() -> bool:
        dead.extend(await harness.drain(dlq))
        return bool(dead)

    await wait_until(dead_lettered, what="the rejected event in the DLQ")
    assert [m.headers[KIND_HEADER] for m in dead] == ["rejected"]
    effects = dict(await harness.effects())
    assert rejected.ping_id not in effects
    assert flaky.ping_id in effects and all(e.ping_id in effects for e in good)


async def test_a_duplicate_inside_a_batch_has_no_second_effect(harness: Harness) -> None:
    duplicates_before = consumed("duplicate")
    twice = encode(ping(1), source="pinger")
    others = [encode(ping(n), source="pinger") for n in range(2, 12)]
    await pile_up(harness, [twice, *others[:5], twice, *others[5:]])
    await wait_until(lambda: effects_once(harness, 12), what="12 effects")
    await wait_until(
        lambda: consumed("duplicate") - duplicates_before == 1, what="the duplicate counted"
    )


async def test_a_batch_kept_waiting_on_a_lock_lets_its_events_go_alone(harness: Harness) -> None:
    """A row another transaction keeps locked: the batch gives up after its lock timeout
    instead of waiting with all its events, which then wait alone, and get handled once."""
    harness.behaviour.shared_row = True
    splits_before = splits()
    messages = [encode(ping(n), source="pinger") for n in range(1, 21)]
    await pile_up(harness, messages, release=False, consumer_batch_lock_timeout_ms=50)
    locker = await pg_connect(harness.database_url)
    try:
        async with locker.transaction():
            await locker.execute("SELECT * FROM ponger.shared FOR UPDATE")
            assert harness.behaviour.hold is not None
            harness.behaviour.hold.set()
            await wait_until(lambda: splits() > splits_before, what="the batch to give up")
        await wait_until(lambda: effects_once(harness, 21), what="21 effects")
        assert await locker.fetchval("SELECT n FROM ponger.shared") == 20
    finally:
        await locker.close()


async def test_an_event_given_up_before_its_batch_is_never_handled() -> None:
    """A delivery cancelled while it waits for a slot (its channel closed, the service
    stopping) leaves the queue of waiting events: no later batch handles it."""
    batches = _Batches(slots=1, max_size=10)
    release = asyncio.Event()
    handled: list[list[str]] = []

    async def run(batch: list[_Pending]) -> None:
        handled.append([str(p.event) for p in batch])
        await release.wait()
        for p in batch:
            p.outcome.set_result("handled")

    loop = asyncio.get_running_loop()

    def pending(name: str) -> _Pending:
        return _Pending(name, None, loop.create_future())  # type: ignore[arg-type]

    first, given_up, kept = pending("first"), pending("given up"), pending("kept")
    leader = asyncio.create_task(batches.submit(first, run))
    await wait_until(lambda: handled == [["first"]], what="the first batch running")
    waiting = asyncio.create_task(batches.submit(given_up, run))
    follower = asyncio.create_task(batches.submit(kept, run))
    await wait_until(lambda: len(batches._waiting) == 2, what="both queued for the slot")
    waiting.cancel()
    release.set()
    assert await leader == "handled" and await follower == "handled"
    assert handled == [["first"], ["kept"]]
    assert waiting.cancelled()
