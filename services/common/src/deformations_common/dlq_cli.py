"""``deformations-<service> dlq list|show|redrive|discard``: the dead letters of a service."""

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from deformations_common import dead_letters
from deformations_common.dead_letters import DeadLetter, QueueSummary, Selection, UnknownQueue
from deformations_common.preflight import check_all
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Subscription


def add_parser(sub: Any) -> None:
    dlq = sub.add_parser("dlq", help="inspect, re-drive or discard dead letters")
    actions = dlq.add_subparsers(dest="dlq_command", required=True)
    listing = actions.add_parser("list", help="count, oldest age and reasons per DLQ")
    listing.add_argument("--queue", help="one DLQ (its name, its subscription or routing key)")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    for name, text in (
        ("show", "print the selected messages"),
        ("redrive", "send the selected messages back to their subscription"),
        ("discard", "remove the selected messages"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--queue", help="one DLQ (its name, its subscription or routing key)")
        action.add_argument("--id", action="append", default=[], help="a ce-id (repeatable)")
        action.add_argument("--kind", help="only this error kind (malformed, rejected, …)")
        action.add_argument("--limit", type=int, help="at most this many messages")
        if name == "show":
            action.add_argument("--json", action="store_true", help="one JSON document")
        else:
            action.add_argument("--operator", help="who acts (default: the OS user)")
        if name == "discard":
            action.add_argument("--yes", action="store_true", help="do not ask to confirm")


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


def format_summaries(summaries: Sequence[QueueSummary]) -> str:
    rows = [("QUEUE", "COUNT", "OLDEST", "KINDS", "REASONS")]
    for s in summaries:
        kinds = ", ".join(f"{k}×{n}" for k, n in sorted(s.kinds.items())) or "-"
        reasons = "; ".join(f"{r}×{n}" for r, n in sorted(s.reasons.items())[:3]) or "-"
        rows.append((s.queue, str(s.count), _age(s.oldest_age_s), kinds, reasons))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])), row[4]]).rstrip()
        for row in rows
    )


def format_letter(letter: DeadLetter) -> str:
    return json.dumps(letter.as_json(), indent=2, ensure_ascii=False, sort_keys=True)


def run(
    settings: ServiceSettings,
    subscriptions: Sequence[Subscription],
    args: argparse.Namespace,
    *,
    out: TextIO | None = None,
    ask: Callable[[str], str] = input,
) -> int:
    out = out or sys.stdout
    try:
        asyncio.run(check_all(settings.database_url, settings.amqp_url))
        return asyncio.run(_run(settings, subscriptions, args, out, ask))
    except (UnknownQueue, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2


async def _run(
    settings: ServiceSettings,
    subscriptions: Sequence[Subscription],
    args: argparse.Namespace,
    out: TextIO,
    ask: Callable[[str], str],
) -> int:
    command = args.dlq_command
    async with dead_letters.DeadLetters(settings, subscriptions) as letters:
        if command == "list":
            summaries = await letters.summary(args.queue)
            if args.json:
                print(json.dumps([s.as_json() for s in summaries], indent=2), file=out)
            else:
                print(format_summaries(summaries), file=out)
            return 0
        if args.limit is not None and args.limit < 1:
            raise ValueError("--limit must be at least 1")
        selection = Selection(args.queue, frozenset(args.id), args.kind, args.limit)
        if command == "show":
            shown = await letters.show(selection)
            if args.json:
                print(json.dumps([s.as_json() for s in shown], indent=2), file=out)
            else:
                for letter in shown:
                    print(format_letter(letter), file=out)
                print(f"{len(shown)} message(s)", file=out)
            return 0
        operator = args.operator or dead_letters.default_operator()
        if command == "discard" and not args.yes:
            preview = await letters.show(selection)
            if not preview:
                print("nothing selected", file=out)
                return 0
            answer = ask(f"discard {len(preview)} message(s) for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes", "o", "oui"):
                print("nothing discarded", file=out)
                return 1
        if command == "redrive":
            done = await letters.redrive(selection, operator)
        else:
            done = await letters.discard(selection, operator)
        verb = "re-driven" if command == "redrive" else "discarded"
        for letter in done:
            print(f"{verb}: {letter.queue} {letter.ce_id} ({letter.kind})", file=out)
        print(
            f"{len(done)} message(s) {verb} by {operator} at {datetime.now(UTC):%H:%M:%SZ}",
            file=out,
        )
        return 0
