"""``deformations-portal``: serve (default), migrate, asyncapi, and create-operator EMAIL."""

import asyncio
import sys
from collections.abc import Sequence
from uuid import UUID

from deformations_common import cli, db, migrations, outbox
from deformations_common.db import Connection
from deformations_common.vocabulary.clock import system_clock
from deformations_contracts.base import EventData
from deformations_portal.app import definition
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow
from deformations_portal.settings import PortalSettings


async def create_operator(email: str, siren: str | None = None) -> str:
    """The first operator of a platform; they sign in with an e-mail link."""
    settings = PortalSettings()
    await migrations.migrate(
        settings.database_url, settings.schema_name, "deformations_portal.migrations"
    )
    pool = await db.create_pool(settings.database_url, settings.schema_name, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():

            async def record(c: Connection, events: Sequence[EventData]) -> list[UUID]:
                return await outbox.enqueue_many(
                    c, events, source=settings.service_name, schema=settings.schema_name
                )

            uow = PortalUow(conn, settings, system_clock, record)
            person_id = await people.create_operator(uow, email, siren or settings.operator_siren)
    finally:
        await pool.close()
    return str(person_id)


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "create-operator":
        if len(sys.argv) not in (3, 4):
            print("usage: deformations-portal create-operator EMAIL [SIREN]", file=sys.stderr)
            sys.exit(2)
        person = asyncio.run(create_operator(*sys.argv[2:]))
        print(f"operator {sys.argv[2]} created (person {person}); sign in with an e-mail link")
        sys.exit(0)
    sys.exit(cli.run(definition))


if __name__ == "__main__":
    main()
