"""The asyncpg pool of a service, bound to the service's own schema.

Every acquire and every statement has a deadline (settings), and a database that cannot
be reached is told apart from a failing query (``is_unavailable``): consumers wait such
an outage out instead of counting attempts, and HTTP answers 503 instead of 500.
"""

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeAlias

import asyncpg
from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy

from deformations_common import metrics
from deformations_common.logging import get_logger

# What repositories receive: a plain connection or one borrowed from the pool.
Connection: TypeAlias = "asyncpg.Connection[Record] | PoolConnectionProxy[Record]"
Pool: TypeAlias = "asyncpg.Pool[Record]"

log = get_logger()


class DatabaseUnavailable(Exception):
    """The database did not answer in time or refused the connection: an outage, not a
    fault of the work that needed it."""


# Errors that say the server is away, restarting or out of connections. Not a statement
# timeout (57014, QueryCanceledError), not a constraint or syntax error: those are the
# work's own failures. A database that does not exist (3D000, dropped or not yet
# created by the operator) is away too: nothing a request or a message did caused it.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InvalidCatalogNameError,
)


_CONNECT_ERRORS: tuple[type[Exception], ...] = (OSError, *UNAVAILABLE_ERRORS)


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means the database cannot be reached."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UNAVAILABLE_ERRORS):
            return True
        if isinstance(current, asyncpg.InterfaceError) and "closed" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _error_kind(exc: BaseException) -> str:
    """What failed, at the root: the probe logs again when it changes."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return type(exc).__name__


class TimedPool(asyncpg.Pool):
    """A pool whose every acquire has a deadline, and whose failure to connect or to
    acquire in time is a ``DatabaseUnavailable``; services keep calling ``acquire()``."""

    acquire_timeout_s: float | None = None

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self.acquire_timeout_s if timeout is None else timeout)

    async def _acquire(self, timeout: float | None) -> Any:  # noqa: ASYNC109 - asyncpg's
        try:
            return await super()._acquire(timeout)  # type: ignore[misc]
        except TimeoutError as exc:
            raise DatabaseUnavailable(f"no database connection within {timeout} s") from exc
        except _CONNECT_ERRORS as exc:
            raise DatabaseUnavailable(f"cannot connect to the database: {exc!r}") from exc


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
    database_url: str,
    schema: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    acquire_timeout_s: float | None = 10.0,
    statement_timeout_ms: int = 0,
    connect_timeout_s: float = 5.0,
) -> Pool:
    """Open a pool whose connections resolve unqualified names in ``schema`` first.

    ``statement_timeout_ms``: 0 keeps the server's setting (no limit by default)."""
    server_settings = {"search_path": f"{schema},public", "application_name": schema}
    if statement_timeout_ms:
        server_settings["statement_timeout"] = str(int(statement_timeout_ms))
    pool = TimedPool(
        database_url,
        connection_class=asyncpg.Connection,
        record_class=Record,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        loop=None,
        init=_init_connection,
        reset=_keep_as_is,
        server_settings=server_settings,
        timeout=connect_timeout_s,
    )
    pool.acquire_timeout_s = acquire_timeout_s
    await pool
    return pool


async def set_lock_timeout(conn: Connection, milliseconds: int) -> None:
    """Until the end of the current transaction, a lock waited for longer is an error."""
    await conn.execute(f"SET LOCAL lock_timeout = {int(milliseconds)}")


class DatabaseGate:
    """Where work that met a database outage waits for its end.

    One probe runs for every waiter, with a growing pause (``first_s`` doubling up to
    ``max_s``), so that a hundred waiting consumers cost one connection attempt per
    pause. Before probing, the pool drops its connections: those open before the outage
    are dead, and must not fail the first pieces of work after it.
    """

    # How often a probe that keeps failing says so again.
    REMINDER_S = 60.0

    def __init__(
        self,
        pool: Callable[[], Pool],
        service: str,
        *,
        first_s: float = 0.2,
        max_s: float = 5.0,
        probe_timeout_s: float = 2.0,
    ) -> None:
        self._pool = pool
        self._service = service
        self._first_s = first_s
        self._max_s = max_s
        self._probe_timeout_s = probe_timeout_s
        self._probe: asyncio.Task[bool] | None = None
        self.up = True

    def kick(self) -> "asyncio.Task[bool]":
        """Start probing (an outage was just met), unless a probe already runs."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._until_up(), name="database-probe")
        return self._probe

    async def wait_until_up(self, timeout_s: float) -> bool | None:
        """Wait for the database to answer: True if it was down meanwhile, False if it
        answered at once, None if it still did not answer after ``timeout_s``."""
        probe = self.kick()
        try:
            return await asyncio.wait_for(asyncio.shield(probe), timeout_s)
        except TimeoutError:
            return None

    def stop(self) -> None:
        if self._probe is not None:
            self._probe.cancel()

    async def _until_up(self) -> bool:
        pause = self._first_s
        was_down = False
        down_since = 0.0
        attempts = 0
        last_kind = ""
        next_reminder = 0.0
        loop = asyncio.get_running_loop()
        await self._pool().expire_connections()
        while True:
            try:
                async with self._pool().acquire(timeout=self._probe_timeout_s) as conn:
                    await conn.fetchval("SELECT 1", timeout=self._probe_timeout_s)
            except Exception as exc:
                attempts += 1
                now = loop.time()
                if not was_down:
                    down_since, next_reminder = now, now + self.REMINDER_S
                kind = _error_kind(exc)
                # Logged when it starts, when its cause changes, then once a minute: a
                # long outage stays visible without a line per attempt. An error that is
                # not an outage (a refused password, a bug) is the operator's to fix:
                # said as an error, still probed, since fixing it needs no restart.
                if not was_down or kind != last_kind or now >= next_reminder:
                    level = log.warning if is_unavailable(exc) else log.error
                    level(
                        "db.database_unavailable" if not was_down else "db.still_unavailable",
                        service=self._service,
                        error=repr(exc)[:300],
                        attempts=attempts,
                        down_for_s=round(now - down_since, 1),
                    )
                    if now >= next_reminder:
                        next_reminder = now + self.REMINDER_S
                last_kind = kind
                was_down = True
                self._set(False)
                await asyncio.sleep(pause)
                pause = min(pause * 2, self._max_s)
                continue
            if was_down:
                log.info(
                    "db.database_back",
                    service=self._service,
                    attempts=attempts,
                    down_for_s=round(loop.time() - down_since, 1),
                )
            self._set(True)
            return was_down

    def _set(self, up: bool) -> None:
        self.up = up
        metrics.DEPENDENCY_UP.labels(self._service, "database").set(1 if up else 0)
