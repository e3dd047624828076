"""The command line of every service: ``serve`` (default), ``migrate``, ``asyncapi``, ``dlq``."""

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError

from deformations_common import dlq_cli, migrations
from deformations_common.logging import configure_logging
from deformations_common.preflight import Unreachable, check_broker, check_database
from deformations_common.service import ServiceDefinition, asyncapi_document, create_app


def run(
    make_definition: Callable[[], ServiceDefinition[Any]], argv: list[str] | None = None
) -> int:
    try:
        definition = make_definition()
    except ValidationError as exc:
        # Settings read from the environment: say what is wrong, not a traceback.
        print(_settings_errors(exc), file=sys.stderr)
        return 2
    settings = definition.settings
    parser = argparse.ArgumentParser(prog=f"deformations-{settings.service_name}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP API and the consumers (default)")
    sub.add_parser("migrate", help="apply pending schema migrations and exit")
    spec = sub.add_parser("asyncapi", help="print (or write) the AsyncAPI document")
    spec.add_argument("--out", type=Path)
    dlq_cli.add_parser(sub)
    args = parser.parse_args(argv)
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        if args.command == "migrate":
            asyncio.run(check_database(settings.database_url))
            applied = asyncio.run(
                migrations.migrate(
                    settings.database_url, settings.schema_name, definition.migrations_package
                )
            )
            print(f"{settings.schema_name}: {len(applied)} migration(s) applied")
            return 0
        if args.command == "dlq":
            handlers = definition.handlers
            return dlq_cli.run(settings, handlers.subscriptions if handlers else [], args)
        if args.command == "asyncapi":
            app = create_app(definition)
            document = json.dumps(
                asyncapi_document(definition, app.state.runtime.broker), indent=2, sort_keys=True
            )
            if args.out:
                args.out.write_text(document + "\n", encoding="utf-8")
            else:
                print(document)
            return 0
        asyncio.run(check_database(settings.database_url))
    except Unreachable as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        asyncio.run(check_broker(settings.amqp_url))
    except Unreachable as exc:
        # Not fatal: HTTP serves, events wait in the outbox, consumers start later.
        print(
            f"{exc}\nStarting without it: consumers and the relay start once it answers.",
            file=sys.stderr,
        )
    uvicorn.run(
        create_app(definition),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        # The app reads X-Forwarded-For itself (FORWARDED_ALLOW_IPS): not twice.
        proxy_headers=False,
    )
    return 0


def _settings_errors(exc: ValidationError) -> str:
    lines = ["The service cannot start: its settings (environment variables) are invalid."]
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())).upper()
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        lines.append(f"  - {where + ': ' if where else ''}{message}")
    return "\n".join(lines)
