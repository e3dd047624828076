"""Dead letters on the real broker: list, show, re-drive (once, audited), discard, crash."""

import argparse
import asyncio
import io
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import pytest
from prometheus_client import REGISTRY
from runtime_harness import REJECTED_N, Harness, pg_connect, ping, standard_headers

from deformations_common import dlq_cli
from deformations_common.codec import encode
from deformations_common.consumer import ATTEMPT_HEADER, KIND_HEADER, REASON_HEADER
from deformations_common.dead_letters import (
    REDRIVEN_BY_HEADER,
    DeadLetter,
    DeadLetters,
    QueueSummary,
    Selection,
    UnknownQueue,
    default_operator,
    failed_at,
    redrive_headers,
)
from deformations_common.queue_metrics import QueueMonitor
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Subscription
from deformations_devtools.testing import wait_until

SUBSCRIPTION = Subscription("ponger", "test.pinged.v1")


# ---- pure parts ---------------------------------------------------------------------------


def _letter(headers: dict[str, Any]) -> DeadLetter:
    return DeadLetter("q.dlq", headers, b'{"n": 1}', "application/json", failed_at(headers))


def test_a_redriven_message_starts_afresh_and_keeps_its_identity() -> None:
    headers = {
        "ce-id": "e1",
        "ce-source": "pinger",
        ATTEMPT_HEADER: 2,
        KIND_HEADER: "exhausted",
        REASON_HEADER: "boom",
        "x-death": [{"reason": "delivery_limit"}],
        "traceparent": "00-abc-def-01",
    }
    now = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    fresh = redrive_headers(headers, "alice", now)
    assert fresh["ce-id"] == "e1" and fresh["traceparent"] == "00-abc-def-01"
    assert ATTEMPT_HEADER not in fresh and KIND_HEADER not in fresh and "x-death" not in fresh
    assert REASON_HEADER not in fresh
    assert fresh[REDRIVEN_BY_HEADER] == "alice"


def test_kind_reason_and_age_of_a_message_the_broker_dead_lettered() -> None:
    died = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    letter = _letter({"ce-id": "e2", "x-death": [{"reason": "delivery_limit", "time": died}]})
    assert letter.kind == "delivery_limit"
    assert "delivery_limit" in letter.reason
    assert letter.age_s(died + timedelta(minutes=5)) == 300


def test_selection_by_id_and_kind() -> None:
    rejected = _letter({"ce-id": "a", KIND_HEADER: "rejected"})
    malformed = _letter({"ce-id": "b", KIND_HEADER: "malformed"})
    assert Selection(ids=frozenset({"a"})).matches(rejected)
    assert not Selection(ids=frozenset({"a"})).matches(malformed)
    assert Selection(kind="malformed").matches(malformed)
    assert not Selection(kind="malformed").matches(rejected)
    assert Selection().matches(rejected)


def test_the_list_is_a_readable_table() -> None:
    table = dlq_cli.format_summaries(
        [QueueSummary("p.ponger.x.dlq", "ponger.x", 3, 7_200.0, {"rejected": 3}, {"no": 3})]
    )
    header, row = table.splitlines()
    assert header.split() == ["QUEUE", "COUNT", "OLDEST", "KINDS", "REASONS"]
    assert row.split()[:4] == ["p.ponger.x.dlq", "3", "2.0h", "rejected×3"]


def test_an_unknown_queue_is_refused() -> None:
    letters = DeadLetters(ServiceSettings(), [SUBSCRIPTION])
    with pytest.raises(UnknownQueue, match="no dead-letter queue"):
        letters.select_queues("nope")


# ---- on the real broker -------------------------------------------------------------------


def _dlq(harness: Harness) -> str:
    return f"{harness.namespace}.ponger.test.pinged.v1.dlq"


async def _audit(harness: Harness) -> list[tuple[str, str, str | None]]:
    conn = await pg_connect(harness.database_url)
    try:
        rows = await conn.fetch(
            "SELECT action, operator, ce_id FROM ponger.dead_letter_actions ORDER BY id"
        )
    finally:
        await conn.close()
    return [(r["action"], r["operator"], r["ce_id"]) for r in rows]


async def _effects(harness: Harness, n: int) -> bool:
    effects = await harness.effects()
    assert len(effects) <= n, f"{len(effects)} effects, expected {n}: a duplicate effect"
    return len(effects) == n


def _consumed(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "deformations_events_consumed_total",
        {"service": "ponger", "routing_key": "test.pinged.v1", "outcome": outcome},
    )
    return value or 0.0


async def _poison(harness: Harness, n: int) -> str:
    """A ping whose handling keeps failing until the test "fixes" the handler."""
    event = ping(n)
    harness.behaviour.failures_left[event.ping_id] = 1_000
    message = encode(event, source="pinger")
    await harness.publish_raw(message.body, dict(message.headers))
    return str(message.event_id)


async def test_a_poison_event_is_redriven_once_and_a_second_redrive_has_no_effect(
    harness: Harness,
) -> None:
    consumer = await harness.start_consumer()
    ce_id = await _poison(harness, 1)
    await wait_until(lambda: _depth(harness, 1), what="the poison event in the DLQ")
    async with DeadLetters(consumer.settings, [SUBSCRIPTION]) as letters:
        [shown] = await letters.show()
        assert shown.ce_id == ce_id and shown.kind == "exhausted"
        harness.behaviour.failures_left.clear()  # the handler is fixed
        others = await harness.tap("test.pinged.v1")
        [redriven] = await letters.redrive(Selection(ids=frozenset({ce_id})), "alice")
        assert redriven.ce_id == ce_id
        await wait_until(lambda: _effects(harness, 1), what="the re-driven event's effect")
        assert await _depth(harness, 0)
        # Only the original subscription got it back, not every consumer of its key.
        assert await others.get(fail=False) is None

        # The same event dead-lettered again (as after a faulty re-publication), re-driven.
        duplicates = _consumed("duplicate")
        connection = await aio_pika.connect(harness.infra.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            dlx = await channel.get_exchange(consumer.settings.dead_letter_exchange)
            await dlx.publish(
                aio_pika.Message(
                    shown.body, headers=shown.headers, content_type="application/json"
                ),
                routing_key=f"{harness.namespace}.ponger.test.pinged.v1",
            )
        finally:
            await connection.close()
        await wait_until(lambda: _depth(harness, 1), what="the copy in the DLQ")
        assert len(await letters.redrive(Selection(), "bob")) == 1
        await wait_until(lambda: _consumed("duplicate") > duplicates, what="the inbox hit")
        assert await _effects(harness, 1)
    assert await _audit(harness) == [("redrive", "alice", ce_id), ("redrive", "bob", ce_id)]


async def test_a_dead_letter_older_than_the_replay_age_is_not_redriven(
    harness: Harness,
) -> None:
    """Tombstones are pruned past that age: an older event could bring an erased person's
    data back, so it stays in the DLQ for an operator to read and discard."""
    consumer = await harness.start_consumer(erased_people_retention_days=30)
    event = ping(2)
    harness.behaviour.failures_left[event.ping_id] = 1_000
    message = encode(event, source="pinger")
    headers = dict(message.headers)
    headers["ce-time"] = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    await harness.publish_raw(message.body, headers)
    await wait_until(lambda: _depth(harness, 1), what="the old event in the DLQ")
    harness.behaviour.failures_left.clear()
    async with DeadLetters(consumer.settings, [SUBSCRIPTION]) as letters:
        assert await letters.redrive(Selection(), "alice") == []
        assert await _depth(harness, 1)
        assert len(await letters.discard(Selection(), "alice")) == 1
    assert await harness.effects() == []
    assert await _audit(harness) == [("discard", "alice", str(message.event_id))]


def test_a_letter_is_replayable_until_the_maximum_replay_age() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    young = _letter({"ce-time": "2026-11-03T00:00:00Z"})
    old = _letter({"ce-time": "2026-11-01T23:59:59+00:00"})
    assert young.replayable(now, 30) and not old.replayable(now, 30)
    # Without ce-time, the time it was dead-lettered counts; without either, it may go.
    dead = _letter({"x-death": [{"time": datetime(2026, 10, 1, tzinfo=UTC)}]})
    assert not dead.replayable(now, 30)
    assert _letter({}).replayable(now, 30)


async def _depth(harness: Harness, n: int) -> bool:
    return await harness.ready(_dlq(harness)) == n


async def test_list_shows_count_age_and_reasons_and_discard_removes_only_the_selection(
    harness: Harness,
) -> None:
    consumer = await harness.start_consumer()
    rejected = [encode(ping(REJECTED_N), source="pinger") for _ in range(2)]
    for message in rejected:
        await harness.publish_raw(message.body, dict(message.headers))
    await harness.publish_raw(b"{oops", standard_headers())
    await wait_until(lambda: _depth(harness, 3), what="three dead letters")

    parser = argparse.ArgumentParser()
    dlq_cli.add_parser(parser.add_subparsers(dest="command"))

    def cli(*argv: str, answer: str = "n") -> tuple[int, str]:
        out = io.StringIO()
        args = parser.parse_args(["dlq", *argv])
        code = dlq_cli.run(consumer.settings, [SUBSCRIPTION], args, out=out, ask=lambda _: answer)
        return code, out.getvalue()

    code, listing = await asyncio.to_thread(cli, "list")
    assert code == 0
    row = listing.splitlines()[1]
    assert row.split()[:2] == [_dlq(harness), "3"]
    assert "malformed×1" in row and "rejected×2" in row and f"{REJECTED_N} is never" in row
    age = row.split()[2]
    assert age.endswith("s") and int(age[:-1]) < 60

    monitor = QueueMonitor(consumer.settings, [SUBSCRIPTION], lambda: consumer.runtime.pool)
    await monitor.refresh()
    labels = {"service": "ponger", "queue": _dlq(harness)}
    assert REGISTRY.get_sample_value("deformations_dead_letters", labels) == 3
    oldest = REGISTRY.get_sample_value("deformations_dead_letter_oldest_age_seconds", labels)
    assert oldest is not None and 0 <= oldest < 60
    assert await _depth(harness, 3), "the peek at the head handed it back"
    assert REGISTRY.get_sample_value("deformations_outbox_pending", {"service": "ponger"}) == 0

    # Refused at the prompt: nothing moves.
    code, _ = await asyncio.to_thread(cli, "discard", "--kind", "malformed")
    assert code == 1 and await _depth(harness, 3)
    first = str(rejected[0].event_id)
    code, out = await asyncio.to_thread(
        cli, "discard", "--id", first, "--operator", "carol", "--yes"
    )
    assert code == 0 and f"discarded: {_dlq(harness)} {first} (rejected)" in out
    async with DeadLetters(consumer.settings, [SUBSCRIPTION]) as letters:
        left = await letters.show()
        assert sorted(x.kind for x in left) == ["malformed", "rejected"]
        assert str(rejected[1].event_id) in {x.ce_id for x in left}
        assert [x.ce_id for x in await letters.show(Selection(kind="rejected"))] == [
            str(rejected[1].event_id)
        ]
    code, _ = await asyncio.to_thread(cli, "discard", "--kind", "malformed", answer="oui")
    assert code == 0 and await _depth(harness, 1)
    code, shown = await asyncio.to_thread(cli, "show", "--json")
    assert code == 0 and str(rejected[1].event_id) in shown and '"n": 99999' in shown
    audit = await _audit(harness)
    assert audit[0] == ("discard", "carol", first)
    assert len(audit) == 2 and audit[1][:2] == ("discard", default_operator())


_CRASHING_REDRIVE = textwrap.dedent(
    """
    import asyncio, os, sys
    import aio_pika
    from deformations_common.dead_letters import DeadLetters, Selection
    from deformations_common.settings import ServiceSettings
    from deformations_common.topology import Subscription

    published = 0
    real_publish = aio_pika.Exchange.publish

    async def publish(self, *args, **kwargs):
        global published
        published += 1
        if published == 2:
            os._exit(9)  # killed before the second message is even sent
        return await real_publish(self, *args, **kwargs)

    aio_pika.Exchange.publish = publish

    async def main():
        settings = ServiceSettings.model_validate_json(sys.argv[1])
        async with DeadLetters(settings, [Subscription("ponger", "test.pinged.v1")]) as dl:
            await dl.redrive(Selection(), "crash")

    asyncio.run(main())
    """
)


async def test_nothing_is_lost_when_the_process_dies_mid_redrive(harness: Harness) -> None:
    consumer = await harness.start_consumer()
    for n in (1, 2, 3):
        await _poison(harness, n)
    await wait_until(lambda: _depth(harness, 3), what="three dead letters")
    harness.behaviour.failures_left.clear()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CRASHING_REDRIVE,
        consumer.settings.model_dump_json(),
        env={**os.environ},
        stdout=subprocess.DEVNULL,
    )
    assert await process.wait() == 9
    # The one confirmed and acked is handled; the one in flight and the one behind are back.
    await wait_until(lambda: _effects(harness, 1), what="the first re-driven event")
    await wait_until(lambda: _depth(harness, 2), what="the other two back in the DLQ")
    [(action, operator, _)] = await _audit(harness)
    assert (action, operator) == ("redrive", "crash")
    async with DeadLetters(consumer.settings, [SUBSCRIPTION]) as letters:
        assert len(await letters.redrive(Selection(), "dave")) == 2
    await wait_until(lambda: _effects(harness, 3), what="every event handled once")
