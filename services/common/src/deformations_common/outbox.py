"""Transactional outbox: events are written with the state change, published by a relay.

``enqueue`` must run inside the caller's transaction, so an event exists if and only if
its cause was committed. The relay locks a batch with ``FOR UPDATE SKIP LOCKED`` (several
replicas share the work, never the same row), publishes it with publisher confirms and
deletes the rows in the same transaction only once every message was confirmed. A crash
in between leaves the rows to be published again: at-least-once, deduplicated by the
consumers' inbox on the unchanging ``ce-id``.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from deformations_common import metrics, tracing
from deformations_common.codec import OutgoingMessage, encode
from deformations_common.db import Connection, Pool
from deformations_common.logging import get_logger
from deformations_contracts.base import EventData

# Publishes a batch; one outcome per message: None once confirmed, else the error.
PublishBatch = Callable[[Sequence[OutgoingMessage]], Awaitable[Sequence[BaseException | None]]]

# A message the broker returned or did not confirm is parked for this long, doubling.
PARK_FIRST_S = 1.0
PARK_MAX_S = 300.0

log = get_logger()


def notify_channel(schema: str) -> str:
    return f"{schema}_outbox"


class OutboxNotInTransaction(RuntimeError):
    pass


async def enqueue(
    conn: Connection,
    event: EventData,
    *,
    source: str,
    schema: str,
    event_id: UUID | None = None,
    time: datetime | None = None,
    correlationid: str | None = None,
    causationid: str | None = None,
    traceparent: str | None = None,
) -> UUID:
    """Record ``event`` for publication in the caller's transaction; returns its ce-id.

    Without ``traceparent``, the event carries the trace of the span current in the
    caller (an HTTP request's, an event's), if any."""
    if not conn.is_in_transaction():
        raise OutboxNotInTransaction("outbox.enqueue needs the transaction of the state change")
    if traceparent is None:
        traceparent = tracing.current_traceparent()
    message = encode(
        event,
        source=source,
        event_id=event_id,
        time=time,
        correlationid=correlationid,
        causationid=causationid,
        traceparent=traceparent,
    )
    # One round trip; the NOTIFY is delivered at commit only, so a rolled-back
    # transaction wakes nobody.
    await conn.execute(
        """WITH queued AS (
               INSERT INTO outbox (event_id, routing_key, headers, body)
               VALUES ($1, $2, $3, $4) RETURNING seq)
           SELECT pg_notify($5, '') FROM queued""",
        message.event_id,
        message.routing_key,
        message.headers,
        message.body,
        notify_channel(schema),
    )
    return message.event_id


async def enqueue_many(
    conn: Connection,
    events: Sequence[EventData],
    *,
    source: str,
    schema: str,
    correlationid: str | None = None,
    causationid: str | None = None,
    traceparent: str | None = None,
) -> list[UUID]:
    """``enqueue`` for many events in one statement (a round of thousands of proposals
    would otherwise pay one round trip each); returns their ce-ids, in order."""
    if not conn.is_in_transaction():
        raise OutboxNotInTransaction("outbox.enqueue needs the transaction of the state change")
    if not events:
        return []
    if traceparent is None:
        traceparent = tracing.current_traceparent()
    messages = [
        encode(
            event,
            source=source,
            correlationid=correlationid,
            causationid=causationid,
            traceparent=traceparent,
        )
        for event in events
    ]
    await conn.execute(
        """WITH queued AS (
               INSERT INTO outbox (event_id, routing_key, headers, body)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::bytea[])
               RETURNING seq)
           SELECT pg_notify($5, '') WHERE EXISTS (SELECT FROM queued)""",
        [m.event_id for m in messages],
        [m.routing_key for m in messages],
        [m.headers for m in messages],
        [m.body for m in messages],
        notify_channel(schema),
    )
    return [m.event_id for m in messages]


class OutboxRelay:
    def __init__(
        self,
        pool: Pool,
        publish: PublishBatch,
        *,
        database_url: str,
        schema: str,
        batch_size: int = 200,
        poll_interval_s: float = 1.0,
        workers: int = 2,
        connected: Callable[[], bool] = lambda: True,
    ) -> None:
        """``connected``: whether the publisher's connection is up; while it is not,
        nothing is tried (no row is parked) until ``wake`` says it is back."""
        self._pool = pool
        self._publish = publish
        self._database_url = database_url
        self._schema = schema
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._workers = workers
        self._wakeup = asyncio.Event()
        # Set by ``wake``: ends a back-off pause, which new events (NOTIFY) do not.
        self._resume = asyncio.Event()
        self._unpark = False
        self._connected = connected
        self.failing = False
        self._listener: asyncpg.Connection | None = None

    async def publish_pending(self) -> int:
        """Publish one batch of due events; returns how many were confirmed and removed.

        Confirmed rows are deleted; a row the broker returned (no queue bound) or did not
        confirm is parked with a growing delay, so it never holds back the rows behind it.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """SELECT seq, event_id, routing_key, headers, body FROM outbox
                   WHERE not_before IS NULL OR not_before <= now()
                   ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED""",
                self._batch_size,
            )
            if not rows:
                self.failing = False
                return 0
            messages = [
                OutgoingMessage(r["event_id"], r["routing_key"], r["headers"], bytes(r["body"]))
                for r in rows
            ]
            outcomes = await self._publish(messages)
            confirmed = [r["seq"] for r, error in zip(rows, outcomes, strict=True) if not error]
            failed = [(r["seq"], e) for r, e in zip(rows, outcomes, strict=True) if e]
            if confirmed:
                await conn.execute("DELETE FROM outbox WHERE seq = ANY($1::bigint[])", confirmed)
            if failed:
                await conn.executemany(
                    """UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                              not_before = now() + make_interval(
                                  secs => least($3 * power(2, attempts), $4))
                       WHERE seq = $1""",
                    [(seq, repr(e)[:500], PARK_FIRST_S, PARK_MAX_S) for seq, e in failed],
                )
                log.warning(
                    "outbox.events_parked",
                    schema=self._schema,
                    count=len(failed),
                    error=repr(failed[0][1])[:300],
                )
        # Nothing got through: the broker is likely away, the caller backs off.
        self.failing = bool(failed) and not confirmed
        metrics.EVENTS_PUBLISHED.labels(self._schema).inc(len(confirmed))
        return len(confirmed)

    async def pending_count(self) -> int:
        count: int = await self._pool.fetchval("SELECT count(*) FROM outbox")
        return count

    def wake(self, *, unpark: bool = False) -> None:
        """Publish now, ending any back-off pause: the broker connection is back.

        ``unpark``: rows parked while the broker was away are due at once, instead of
        after their growing delay (their failure was the broker's, not theirs)."""
        self._unpark = self._unpark or unpark
        self._resume.set()
        self._wakeup.set()

    async def _unpark_rows(self) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute("UPDATE outbox SET not_before = NULL WHERE not_before > now()")
        self._unpark = False

    async def _pause(self, event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=seconds)

    async def run(self) -> None:
        """Publish until cancelled; woken by NOTIFY, polling as a fallback, and by the
        broker's reconnection (``wake``) after an outage, not by a back-off timer."""
        backoff = self._poll_interval_s
        try:
            while True:
                await self._ensure_listening()
                # Cleared before draining: a NOTIFY that arrives meanwhile is not lost.
                self._wakeup.clear()
                self._resume.clear()
                if not self._connected():
                    # The broker is away: trying would only park rows. Its return wakes us.
                    self.failing = True
                    await self._pause(self._resume, self._poll_interval_s)
                    continue
                try:
                    if self._unpark:
                        await self._unpark_rows()
                    # Batches of several workers wait for their confirms side by side.
                    await asyncio.gather(*(self._drain() for _ in range(self._workers)))
                except Exception as exc:
                    # The database is away: the rows stay, try again later.
                    log.warning("outbox.relay_failed", schema=self._schema, error=repr(exc))
                    self.failing = True
                if self.failing:
                    backoff = min(backoff * 2, 30.0)
                    await self._pause(self._resume, backoff)
                    continue
                backoff = self._poll_interval_s
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll_interval_s)
        finally:
            await self._stop_listening()

    async def _drain(self) -> None:
        while await self.publish_pending() == self._batch_size:
            pass

    def _on_notify(self, *_args: Any) -> None:
        self._wakeup.set()

    async def _ensure_listening(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        try:
            conn = await asyncpg.connect(self._database_url, timeout=5)
            await conn.add_listener(notify_channel(self._schema), self._on_notify)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("outbox.listen_failed", schema=self._schema, error=repr(exc))
            self._listener = None
            return
        self._listener = conn

    async def _stop_listening(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._listener.close(timeout=2))
        self._listener = None
