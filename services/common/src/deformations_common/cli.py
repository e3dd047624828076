"""The command line of every service: ``serve`` (default), ``migrate``, ``asyncapi``, ``dlq``."""

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from deformations_common import dlq_cli, migrations
from deformations_common.logging import configure_logging
from deformations_common.preflight import Unreachable, check_all, check_database
from deformations_common.service import ServiceDefinition, asyncapi_document, create_app


def run(
    make_definition: Callable[[], ServiceDefinition[Any]], argv: list[str] | None = None
) -> int:
    definition = make_definition()
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
        asyncio.run(check_all(settings.database_url, settings.amqp_url))
    except Unreachable as exc:
        print(str(exc), file=sys.stderr)
        return 2
    uvicorn.run(
        create_app(definition),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )
    return 0
