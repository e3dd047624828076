"""The asyncpg pool of a service, bound to the service's own schema."""

import json
from typing import TypeAlias

import asyncpg
from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy

# What repositories receive: a plain connection or one borrowed from the pool.
Connection: TypeAlias = "asyncpg.Connection[Record] | PoolConnectionProxy[Record]"
Pool: TypeAlias = "asyncpg.Pool[Record]"


async def _init_connection(conn: Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def _keep_as_is(conn: Connection) -> None:
    """Pooled connections carry no session state to undo: advisory locks are taken per
    transaction and LISTEN has a connection of its own. Skipping asyncpg's default reset
    saves a round trip on every release, that is on every message and request."""


async def create_pool(
    database_url: str, schema: str, *, min_size: int = 2, max_size: int = 10
) -> Pool:
    """Open a pool whose connections resolve unqualified names in ``schema`` first."""
    pool: Pool = await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_as_is,
        server_settings={"search_path": f"{schema},public", "application_name": schema},
    )
    return pool


async def set_lock_timeout(conn: Connection, milliseconds: int) -> None:
    """Until the end of the current transaction, a lock waited for longer is an error."""
    await conn.execute(f"SET LOCAL lock_timeout = {int(milliseconds)}")
