"""The outbox against the real PostgreSQL and RabbitMQ."""

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import ClassVar

import pytest
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from runtime_harness import Harness, ping

from deformations_common import migrations, outbox
from deformations_common.codec import OutgoingMessage
from deformations_common.db import create_pool
from deformations_contracts.base import EventData
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration


class Boom(Exception):
    pass


async def test_a_rolled_back_transaction_publishes_nothing(harness: Harness) -> None:
    await harness.start_consumer()
    producer = await harness.start_producer()
    rolled_back = ping(1)
    with pytest.raises(Boom):
        async with producer.runtime.transaction() as conn:
            await producer.runtime.emit(conn, rolled_back)
            raise Boom
    committed = ping(2)
    async with producer.runtime.transaction() as conn:
        await producer.runtime.emit(conn, committed)
    await wait_until(lambda: _has(harness, committed.ping_id), what="the committed event")
    assert [p for p, _ in await harness.effects()] == [committed.ping_id]
    relay = producer.runtime.relay
    assert relay is not None

    async def outbox_empty() -> bool:
        # The relay deletes the row once confirmed, which may come after the effect.
        return await relay.pending_count() == 0

    await wait_until(outbox_empty, what="the outbox to be emptied")


async def test_events_committed_while_no_relay_runs_are_published_at_restart(
    harness: Harness,
) -> None:
    await harness.start_consumer()
    settings = harness.settings("pinger")
    await migrations.migrate(settings.database_url, settings.schema_name, None)
    events = [ping(n) for n in range(5)]
    # A process that committed and died before its relay published anything.
    pool = await create_pool(settings.database_url, settings.schema_name)
    try:
        async with pool.acquire() as conn, conn.transaction():
            for event in events:
                await outbox.enqueue(conn, event, source="pinger", schema="pinger")
        assert await pool.fetchval("SELECT count(*) FROM outbox") == 5
    finally:
        await pool.close()
    producer = await harness.start_producer()
    await wait_until(lambda: _count(harness, 5), what="5 effects after restart")
    assert sorted(n for _, n in await harness.effects()) == [0, 1, 2, 3, 4]
    relay = producer.runtime.relay
    assert relay is not None

    async def outbox_empty() -> bool:
        return await relay.pending_count() == 0

    await wait_until(outbox_empty, what="the outbox to be emptied")


async def test_enqueue_outside_a_transaction_is_refused(harness: Harness) -> None:
    producer = await harness.start_producer()
    async with producer.runtime.pool.acquire() as conn:
        with pytest.raises(outbox.OutboxNotInTransaction):
            await producer.runtime.emit(conn, ping(1))


async def test_two_relays_never_publish_the_same_row(harness: Harness) -> None:
    settings = harness.settings("pinger")
    await migrations.migrate(settings.database_url, "pinger", None)
    pool = await create_pool(settings.database_url, "pinger", max_size=6)
    published: list[str] = []
    gate = asyncio.Event()
    a_holds_rows = asyncio.Event()

    async def slow_publish(messages: Sequence[OutgoingMessage]) -> list[None]:
        a_holds_rows.set()
        await gate.wait()
        published.extend(str(m.event_id) for m in messages)
        return [None] * len(messages)

    async def fast_publish(messages: Sequence[OutgoingMessage]) -> list[None]:
        published.extend(str(m.event_id) for m in messages)
        return [None] * len(messages)

    common = {"database_url": settings.database_url, "schema": "pinger", "batch_size": 5}
    relay_a = outbox.OutboxRelay(pool, slow_publish, **common)  # type: ignore[arg-type]
    relay_b = outbox.OutboxRelay(pool, fast_publish, **common)  # type: ignore[arg-type]
    try:
        async with pool.acquire() as conn, conn.transaction():
            for n in range(10):
                await outbox.enqueue(conn, ping(n), source="pinger", schema="pinger")
        first = asyncio.create_task(relay_a.publish_pending())
        await a_holds_rows.wait()
        # While A holds its five rows locked, B takes the other five, and then none.
        assert await relay_b.publish_pending() == 5
        assert await relay_b.publish_pending() == 0
        gate.set()
        assert await first == 5
        assert len(published) == 10 and len(set(published)) == 10
        assert await pool.fetchval("SELECT count(*) FROM outbox") == 0
    finally:
        gate.set()
        await pool.close()


async def test_concurrent_relays_publish_each_event_once(harness: Harness) -> None:
    await harness.start_consumer()
    producers = [await harness.start_producer(outbox_batch_size=20) for _ in range(2)]
    seen: Counter[str] = Counter()
    for producer in producers:
        relay = producer.runtime.relay
        assert relay is not None
        original = relay._publish

        async def counting(messages: Sequence[OutgoingMessage], inner=original):  # type: ignore[no-untyped-def]
            outcomes = await inner(messages)
            seen.update(str(m.event_id) for m, e in zip(messages, outcomes, strict=True) if not e)
            return outcomes

        relay._publish = counting
    for batch in range(10):
        async with producers[batch % 2].runtime.transaction() as conn:
            for n in range(30):
                await producers[batch % 2].runtime.emit(conn, ping(batch * 30 + n))
    await wait_until(lambda: _count(harness, 300), what="300 effects")
    assert len(seen) == 300 and max(seen.values()) == 1


class Unheard(EventData):
    """An event nobody subscribes to."""

    routing_key: ClassVar[str] = "test.unheard.v1"
    producer: ClassVar[str] = "pinger"

    n: int


async def test_an_unroutable_event_waits_without_holding_back_the_others(
    harness: Harness,
) -> None:
    await harness.start_consumer()
    producer = await harness.start_producer()
    after = ping(2)
    async with producer.runtime.transaction() as conn:
        await producer.runtime.emit(conn, Unheard(n=1))  # the broker returns it: no queue
        await producer.runtime.emit(conn, after)
    await wait_until(lambda: _has(harness, after.ping_id), what="the event behind it")

    async def parked() -> bool:
        row = await producer.runtime.pool.fetchrow(
            "SELECT attempts, last_error, not_before FROM outbox WHERE routing_key = $1",
            Unheard.routing_key,
        )
        return row is not None and row["attempts"] >= 1 and row["not_before"] is not None

    await wait_until(parked, what="the returned event to be parked")
    row = await producer.runtime.pool.fetchrow(
        "SELECT count(*) AS n, max(last_error) AS e FROM outbox"
    )
    assert row is not None
    assert row["n"] == 1
    assert "DeliveryError" in row["e"] or "NO_ROUTE" in row["e"]


async def _has(harness: Harness, ping_id: object) -> bool:
    return any(p == ping_id for p, _ in await harness.effects())


async def _count(harness: Harness, n: int) -> bool:
    effects = await harness.effects()
    assert len(effects) <= n, f"{len(effects)} effects for {n} events: a duplicate effect"
    return len(effects) == n


async def test_many_events_recorded_in_one_statement_are_published_once_each(
    harness: Harness,
) -> None:
    await harness.start_consumer()
    producer = await harness.start_producer()
    with pytest.raises(Boom):
        async with producer.runtime.transaction() as conn:
            await producer.runtime.emit_many(conn, [ping(100), ping(101)])
            raise Boom
    events = [ping(n) for n in range(30)]
    async with producer.runtime.transaction() as conn:
        ids = await producer.runtime.emit_many(conn, events)
        assert await producer.runtime.emit_many(conn, []) == []
        stored = await conn.fetch("SELECT event_id, headers FROM outbox ORDER BY seq")
    assert ids == [row["event_id"] for row in stored]  # recorded in order
    assert all(row["headers"]["ce-source"] == "pinger" for row in stored)

    async def all_handled() -> bool:
        return len(await harness.effects()) == len(events)

    await wait_until(all_handled, what="the 30 events handled")
    effects = await harness.effects()
    assert sorted(n for _, n in effects) == list(range(30))  # none of the rolled-back ones


async def test_enqueue_many_needs_the_transaction_of_the_state_change(harness: Harness) -> None:
    producer = await harness.start_producer()
    async with producer.runtime.pool.acquire() as conn:
        with pytest.raises(outbox.OutboxNotInTransaction):
            await producer.runtime.emit_many(conn, [ping(1)])


async def test_many_events_carry_the_trace_of_the_current_span(harness: Harness) -> None:
    provider = SdkTracerProvider()
    producer = await harness.start_producer()
    with provider.get_tracer("test").start_as_current_span("unit of work") as span:
        async with producer.runtime.transaction() as conn:
            await producer.runtime.emit_many(conn, [ping(1), ping(2)])
            stored = await conn.fetch("SELECT headers FROM outbox ORDER BY seq")
    current = span.get_span_context()
    expected = f"00-{current.trace_id:032x}-{current.span_id:016x}-{current.trace_flags:02x}"
    assert [row["headers"]["ce-traceparent"] for row in stored] == [expected] * 2
