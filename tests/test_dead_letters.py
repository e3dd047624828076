"""Dead letters across the platform: every service's ``dlq`` command, a real service's
DLQ handled end to end with its metrics, and the alert rules shipped in ``deploy/``."""

import argparse
import asyncio
import importlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
import yaml
from platform_harness import SERVICES, Platform
from prometheus_client import REGISTRY

from deformations_common import cli, dlq_cli, queue_metrics
from deformations_common.codec import OutgoingMessage
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
