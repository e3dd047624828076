"""Dead letters across the platform: every service's ``dlq`` command, a real service's
DLQ handled end to end with its metrics, and the alert rules shipped in ``deploy/``."""

import argparse
import asyncio
import contextlib
import importlib
import io
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import structlog
import yaml
from platform_harness import SERVICES, Platform, RunningService
from prometheus_client import REGISTRY

from deformations_common import cli, dead_letters, dlq_cli, queue_metrics
from deformations_common.codec import OutgoingMessage
from deformations_common.dead_letters import DeadLetter, DeadLetters, Selection
from deformations_common.topology import Subscription
from deformations_contracts.events.matching import MatchProposed
from deformations_devtools.testing import wait_until

ROOT = Path(__file__).resolve().parents[1]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_dlq_command(
    service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = importlib.import_module(f"deformations_{service}.app").definition
    with pytest.raises(SystemExit) as exit_:
        cli.run(definition, ["dlq", "--help"])
    assert exit_.value.code == 0
    help_text = capsys.readouterr().out
    for action in ("list", "show", "redrive", "discard"):
        assert action in help_text


def _exported_metrics() -> set[str]:
    """Names as scraped: a counter's family ``x`` is exported as ``x_total``."""
    assert queue_metrics.DEAD_LETTERS is not None  # registered on import
    families = list(REGISTRY.collect())
    return {m.name for m in families} | {f"{m.name}_total" for m in families if m.type == "counter"}


def test_the_alert_rules_watch_metrics_the_services_export() -> None:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    exported = _exported_metrics()
    watched: set[str] = set()
    for rule in rules:
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        names = set(re.findall(r"\b(deformations_[a-z_]+)\b", rule["expr"]))
        assert names, f"{rule['alert']} watches no deformations metric"
        assert names <= exported, f"{rule['alert']}: {names - exported} is not exported"
        watched |= names
    assert {
        "deformations_dead_letters",
        "deformations_dead_letter_oldest_age_seconds",
        "deformations_outbox_oldest_age_seconds",
        "deformations_queue_ready_messages",
        "deformations_background_task_up",
        "deformations_dependency_up",
    } <= watched
    assert len({rule["alert"] for rule in rules}) == len(rules)
    relay = [r for r in rules if 'task="outbox-relay"' in r["expr"]]
    assert relay, "no rule watches the outbox relay"


def test_the_relay_task_the_rules_name_is_the_one_the_runtime_starts() -> None:
    source = (ROOT / "services/common/src/deformations_common/service.py").read_text("utf-8")
    assert 'start_task("outbox-relay"' in source


def test_promtool_accepts_the_alert_rules() -> None:
    """Debian's ``prometheus`` package ships promtool; where it is not installed, the
    structure test above still runs."""
    promtool = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    checked = subprocess.run(
        [promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def test_the_deploy_readme_documents_the_alerts() -> None:
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    assert "prometheus/alerts.yml" in readme
    for metric in ("deformations_dead_letters", "deformations_outbox_oldest_age_seconds"):
        assert metric in readme


async def test_a_real_services_dead_letter_is_listed_redriven_and_discarded(
    platform: Platform,
) -> None:
    lending = await platform.start("lending")
    handlers = lending.app.state.definition.handlers
    dlq = f"{platform.namespace}.lending.{MatchProposed.routing_key}.dlq"
    ce_id = str(uuid4())
    await platform.publish(
        OutgoingMessage(
            uuid4(),
            MatchProposed.routing_key,
            {
                "ce-id": ce_id,
                "ce-source": "matching",
                "ce-type": f"fr.deformations.{MatchProposed.routing_key}",
                "ce-specversion": "1.0",
                "ce-time": "2026-12-01T22:00:00Z",
            },
            b'{"not": "a proposal"}',
        )
    )
    parser = argparse.ArgumentParser()
    dlq_cli.add_parser(parser.add_subparsers(dest="command"))

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = dlq_cli.run(
            lending.settings, handlers.subscriptions, parser.parse_args(["dlq", *argv]), out=out
        )
        return code, out.getvalue()

    async def listed() -> dict[str, dict[str, object]]:
        code, out = await asyncio.to_thread(run, "list", "--json")
        assert code == 0
        return {entry["queue"]: entry for entry in json.loads(out)}

    async def in_dlq() -> bool:
        return (await listed())[dlq]["count"] == 1

    await wait_until(in_dlq, what="the invalid proposal in lending's DLQ")
    queues = await listed()
    assert len(queues) == len(handlers.subscriptions)
    assert sum(int(str(q["count"])) for q in queues.values()) == 1
    [kind] = queues[dlq]["kinds"]

    # Re-driven through lending's own retry path, it is refused again, with the same reason.
    code, out = await asyncio.to_thread(run, "redrive", "--id", ce_id, "--operator", "ops")
    assert code == 0 and f"re-driven: {dlq} {ce_id}" in out
    await wait_until(in_dlq, what="the re-driven proposal refused again")
    assert list((await listed())[dlq]["kinds"]) == [kind]

    code, out = await asyncio.to_thread(
        run, "discard", "--queue", dlq, "--yes", "--operator", "ops"
    )
    assert code == 0 and "1 message(s) discarded" in out
    assert (await listed())[dlq]["count"] == 0

    conn = await asyncpg.connect(platform.database_url)
    try:
        rows = await conn.fetch(
            "SELECT action, operator, ce_id, queue FROM lending.dead_letter_actions ORDER BY id"
        )
    finally:
        await conn.close()
    assert [tuple(r) for r in rows] == [
        ("redrive", "ops", ce_id, dlq),
        ("discard", "ops", ce_id, dlq),
    ]
    metrics = (await lending.client.get("/metrics")).text
    assert f'deformations_dead_letters{{queue="{dlq}",service="lending"}}' in metrics
    assert 'deformations_outbox_oldest_age_seconds{service="lending"}' in metrics


# ---- the bound of a dead-letter queue (DLQ_MAX_LENGTH) --------------------------------

# A quorum queue checks its bound before each enqueue: the one that crosses it is taken.
QUORUM_TOLERANCE = 1
PROPOSALS = Subscription("lending", MatchProposed.routing_key)


async def _poison(platform: Platform) -> str:
    """An invalid proposal for lending, as a broken producer would publish it; its ce-id."""
    ce_id = str(uuid4())
    await platform.publish(
        OutgoingMessage(
            uuid4(),
            MatchProposed.routing_key,
            {
                "ce-id": ce_id,
                "ce-source": "matching",
                "ce-type": f"fr.deformations.{MatchProposed.routing_key}",
                "ce-specversion": "1.0",
                "ce-time": datetime.now(UTC).isoformat(),
            },
            b'{"not": "a proposal"}',
        )
    )
    return ce_id


async def _dead_letters(lending: RunningService) -> list[DeadLetter]:
    handlers = lending.app.state.definition.handlers
    return await dead_letters.show(
        lending.settings, handlers.subscriptions, Selection(queue=MatchProposed.routing_key)
    )


async def _depth(lending: RunningService) -> int:
    handlers = lending.app.state.definition.handlers
    async with DeadLetters(lending.settings, handlers.subscriptions) as letters:
        return await letters.depth(PROPOSALS)


async def _depth_is(lending: RunningService, expected: int) -> bool:
    return await _depth(lending) == expected


def _requeued(lines: list[dict[str, Any]]) -> int:
    """How many times lending's consumer handed a proposal back to its queue."""
    return sum(
        line["event"] == "consumer.message_requeued" and line["queue"] == PROPOSALS.name
        for line in lines
    )


async def _gauges(lending: RunningService, dlq: str) -> tuple[float | None, float | None]:
    """The DLQ's depth and oldest age as lending's queue monitor reports them."""
    handlers = lending.app.state.definition.handlers
    monitor = queue_metrics.QueueMonitor(lending.settings, handlers.subscriptions)
    labels = {"service": "lending", "queue": dlq}
    before = REGISTRY.get_sample_value("deformations_dead_letter_oldest_age_seconds", labels)
    refreshing = asyncio.create_task(monitor.run())
    try:

        def refreshed() -> bool:
            age = REGISTRY.get_sample_value("deformations_dead_letter_oldest_age_seconds", labels)
            return age is not None and age != before

        await wait_until(refreshed, what="the queue monitor's refresh")
    finally:
        refreshing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refreshing
    return (
        REGISTRY.get_sample_value("deformations_dead_letters", labels),
        REGISTRY.get_sample_value("deformations_dead_letter_oldest_age_seconds", labels),
    )


async def test_a_full_dlq_refuses_and_the_refused_event_waits_in_its_queue(
    platform: Platform,
) -> None:
    """Past DLQ_MAX_LENGTH the broker nacks the consumer's dead-letter publish: the event
    goes back to its own queue and is tried again; once an operator makes room, it lands
    in the DLQ with its reason. Nothing is dropped, and the gauges show the full DLQ."""
    # A delivery limit out of reach: the refused event stays with the consumer (the broker's
    # own dead-lettering at the limit is the next test).
    lending = await platform.start("lending", dlq_max_length=1, delivery_limit=100_000)
    dlq = f"{platform.namespace}.lending.{MatchProposed.routing_key}.dlq"
    bound = lending.settings.dlq_max_length + QUORUM_TOLERANCE

    first = await _poison(platform)
    await wait_until(lambda: _depth_is(lending, 1), what="the first dead letter")
    second = await _poison(platform)
    await wait_until(lambda: _depth_is(lending, bound), what="the DLQ at its bound")
    with structlog.testing.capture_logs() as lines:
        refused = await _poison(platform)
        await wait_until(lambda: _requeued(lines) >= 3, what="the third event refused, again")
        assert await _depth(lending) == bound
        depth, age = await _gauges(lending, dlq)
        assert depth == bound
        assert age is not None and 0 < age < 120

        # The operator discards what the full DLQ held (by id: the refused event, still
        # going round its own queue, is dead-lettered at its next attempt, which may come
        # while the discard walks the DLQ), and it lands there.
        discarded = await dead_letters.discard(
            lending.settings,
            lending.app.state.definition.handlers.subscriptions,
            Selection(queue=dlq, ids=frozenset({first, second})),
            "ops",
        )
        assert sorted(letter.ce_id or "" for letter in discarded) == sorted([first, second])

        async def refused_arrived() -> bool:
            return [letter.ce_id for letter in await _dead_letters(lending)] == [refused]

        await wait_until(refused_arrived, what="the refused event in the DLQ")
    [letter] = await _dead_letters(lending)
    assert letter.kind == "schema" and letter.reason  # its own reason, not the bound's
    depth, age = await _gauges(lending, dlq)
    assert depth == 1 and age is not None and 0 < age < 120


# RabbitMQ's dead_letter_worker_publisher_confirm_timeout (3.10's default): how often the
# broker offers a DLQ again what it refused.
BROKER_REDELIVERY_S = 180


async def test_at_the_delivery_limit_the_broker_holds_what_a_full_dlq_refused(
    platform: Platform,
) -> None:
    """The consumer hands a refused dead letter back until the queue's delivery limit; the
    broker then dead-letters it itself, at least once: it stays in its source queue, out
    of the consumer's reach, and is offered to the DLQ again until the DLQ takes it. This
    waits for the broker's next offer: about three minutes, idle."""
    lending = await platform.start("lending", dlq_max_length=1, delivery_limit=2)
    dlq = f"{platform.namespace}.lending.{MatchProposed.routing_key}.dlq"
    bound = lending.settings.dlq_max_length + QUORUM_TOLERANCE
    held = [await _poison(platform)]
    await wait_until(lambda: _depth_is(lending, 1), what="the first dead letter")
    held.append(await _poison(platform))
    await wait_until(lambda: _depth_is(lending, bound), what="the DLQ at its bound")
    with structlog.testing.capture_logs() as lines:
        refused = await _poison(platform)
        # Delivered once, then again up to the limit: each time refused and handed back.
        deliveries = lending.settings.delivery_limit + 1
        await wait_until(lambda: _requeued(lines) == deliveries, what="the delivery limit")
        assert await _depth(lending) == bound
        discarded = await dead_letters.discard(
            lending.settings,
            lending.app.state.definition.handlers.subscriptions,
            Selection(queue=dlq, ids=frozenset(held)),
            "ops",
        )
        assert sorted(letter.ce_id or "" for letter in discarded) == sorted(held)

        async def refused_arrived() -> bool:
            return [letter.ce_id for letter in await _dead_letters(lending)] == [refused]

        await wait_until(
            refused_arrived,
            timeout_s=BROKER_REDELIVERY_S + 30,
            interval_s=1.0,
            what="the broker's dead letter once the DLQ has room",
        )
        # The broker had it all along: the consumer never saw it again.
        assert _requeued(lines) == deliveries
    [letter] = await _dead_letters(lending)
    assert letter.kind == "delivery_limit"
    assert letter.reason == "dead-lettered by the broker (delivery_limit)"
