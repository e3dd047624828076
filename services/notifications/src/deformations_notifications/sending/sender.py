"""The sender job: due e-mails, due digests and due webhook deliveries, again and again.

Every replica runs it. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` inside the
transaction that records their outcome, so two replicas never send the same row, and a
replica that dies mid-send leaves its rows to be sent again (at least once, never lost).
Within a batch the sends overlap (several SMTP connections, concurrent HTTP requests);
outcomes are then recorded one by one, each in its own savepoint.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, TypeVar
from uuid import UUID, uuid4

import httpx

from deformations_common.db import Pool
from deformations_common.logging import get_logger
from deformations_common.service import Runtime
from deformations_notifications.clock import Clock
from deformations_notifications.delivery.smtp import SmtpPool
from deformations_notifications.delivery.webhook import WebhookSender
from deformations_notifications.domain.outcome import AttemptResult, Outcome
from deformations_notifications.domain.planning import skip_reason
from deformations_notifications.domain.preferences import Channel, RecipientPreferences
from deformations_notifications.domain.retry import DeliveryState, DeliveryStatus
from deformations_notifications.repositories import notifications, recipients, webhooks
from deformations_notifications.sending import metrics
from deformations_notifications.sending.compose import Composer
from deformations_notifications.settings import NotificationsSettings

log = get_logger()
Row = Mapping[str, Any]
T = TypeVar("T")
DIGESTS_PER_TICK = 20
WEBHOOK_STATUS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.FAILED: "failed",
    DeliveryStatus.PENDING: "pending",
}


def _family(event_type: str) -> str:
    return event_type.split(".", 1)[0]


def _state(row: Row) -> DeliveryState:
    # The row id gives each notification its own, stable retry jitter.
    return DeliveryState(seed=UUID(str(row["id"])).int % 2**61, attempts=row["attempts"])


async def _bounded(calls: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One e-mail of a batch: the rows it stands for (several for a digest) and its message."""

    rows: Sequence[Row]
    message: EmailMessage | None  # None: it could not be rendered
    error: str = ""


class Sender:
    def __init__(self, settings: NotificationsSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.composer = Composer(settings)
        self.policy = settings.retry_policy()
        # Rounds completed: tests wait on it instead of sleeping.
        self.ticks = 0
        self._counted_at = float("-inf")

    async def run(self, runtime: Runtime[NotificationsSettings]) -> None:
        s = self.settings
        async with (
            SmtpPool(s.smtp(), s.smtp_connections) as smtp,
            httpx.AsyncClient(limits=httpx.Limits(max_connections=s.webhook_concurrency)) as http,
        ):
            hooks = WebhookSender(http, timeout=s.webhook_timeout_s)
            while True:
                busy = False
                try:
                    busy = await self.tick(runtime.pool, smtp, hooks) > 0
                except Exception as exc:  # the job must outlive a database restart
                    log.warning("notifications.sender_failed", error=repr(exc)[:300])
                self.ticks += 1
                if not busy:
                    await asyncio.sleep(s.sender_poll_interval_s)

    async def tick(self, pool: Pool, smtp: SmtpPool, hooks: WebhookSender) -> int:
        """One round; returns how many rows it took care of."""
        now = self.clock()
        async with pool.acquire() as conn:
            self.composer.family_labels = await notifications.family_labels(conn)
        done = await self.send_due(pool, smtp, now)
        done += await self.send_digests(pool, smtp, now)
        done += await self.deliver_webhooks(pool, hooks, now)
        await self._refresh_gauges(pool)
        return done

    async def _refresh_gauges(self, pool: Pool) -> None:
        # Counting by status scans the table: not at every round of a busy sender.
        if time.monotonic() - self._counted_at < self.settings.metrics_refresh_s:
            return
        async with pool.acquire() as conn:
            metrics.refresh(await notifications.counts(conn))
        self._counted_at = time.monotonic()

    # ---- e-mails ----------------------------------------------------------------------

    def _still_wanted(
        self, row: Row, prefs: Mapping[str, RecipientPreferences]
    ) -> RecipientPreferences | str:
        """The recipient's preferences, or why the message must not go any more."""
        person = prefs.get(row["recipient_id"])
        reason = skip_reason(person, Channel.EMAIL, _family(row["event_type"]))
        if reason is not None or person is None:
            return reason.value if reason else "not_registered"
        return person

    async def _skip_unwanted(
        self, conn: Any, rows: Sequence[Row], prefs: Mapping[str, RecipientPreferences]
    ) -> list[tuple[Row, RecipientPreferences]]:
        wanted = []
        for row in rows:
            person = self._still_wanted(row, prefs)
            if isinstance(person, str):
                await notifications.mark_skipped(conn, [row["id"]], person)
            else:
                wanted.append((row, person))
        return wanted

    def _render(
        self, rows: Sequence[Row], person: RecipientPreferences, now: datetime, digest: bool
    ) -> Outgoing:
        try:
            if digest:
                return Outgoing(rows, self.composer.digest(rows, person, now))
            return Outgoing(rows, self.composer.single(rows[0], person, now))
        except Exception as exc:  # a template bug: no retry will fix it
            return Outgoing(rows, None, f"rendering: {exc!r}"[:500])

    async def _send_and_record(
        self, conn: Any, batch: Sequence[Outgoing], smtp: SmtpPool, now: datetime
    ) -> None:
        async def send(item: Outgoing) -> AttemptResult:
            if item.message is None:
                return AttemptResult(Outcome.PERMANENT, item.error)
            return await smtp.send(item.message)

        calls = [lambda item=item: send(item) for item in batch]
        results = await _bounded(calls, self.settings.smtp_connections)
        for item, result in zip(batch, results, strict=True):
            try:
                # A savepoint per message: one that cannot be recorded spoils no other.
                async with conn.transaction():
                    await self._record(conn, item.rows, result, now)
            except Exception as exc:
                log.warning("notifications.email_not_recorded", error=repr(exc)[:300])

    async def _record(
        self, conn: Any, rows: Sequence[Row], result: AttemptResult, now: datetime
    ) -> None:
        ids = [r["id"] for r in rows]
        metrics.ATTEMPTS.labels("email", result.outcome.value).inc(len(ids))
        if result.outcome is Outcome.DELIVERED:
            await notifications.mark_sent(conn, ids, now, uuid4() if len(ids) > 1 else None)
            return
        state = _state(max(rows, key=lambda r: r["attempts"])).record(result, now, self.policy)
        failed = state.status is DeliveryStatus.FAILED
        if failed:
            metrics.FAILED.labels("email").inc(len(ids))
            log.warning(
                "notifications.email_failed", attempts=state.attempts, error=state.last_error
            )
        await notifications.mark_attempt(
            conn,
            ids,
            status="failed" if failed else "pending",
            attempts=state.attempts,
            next_attempt_at=state.next_attempt_at,
            error=state.last_error,
        )

    async def send_due(self, pool: Pool, smtp: SmtpPool, now: datetime) -> int:
        async with pool.acquire() as conn, conn.transaction():
            rows = await notifications.claim_due(conn, now, self.settings.sender_batch_size)
            prefs = await recipients.preferences_of(conn, {r["recipient_id"] for r in rows})
            wanted = await self._skip_unwanted(conn, rows, prefs)
            batch = [self._render([row], person, now, digest=False) for row, person in wanted]
            await self._send_and_record(conn, batch, smtp, now)
            return len(rows)

    async def send_digests(self, pool: Pool, smtp: SmtpPool, now: datetime) -> int:
        async with pool.acquire() as conn:
            people = await notifications.digest_recipients(conn, now, DIGESTS_PER_TICK)
        done = 0
        for person_id in people:
            async with pool.acquire() as conn, conn.transaction():
                rows = await notifications.claim_digest(conn, person_id, now)
                prefs = await recipients.preferences_of(conn, [person_id])
                wanted = [row for row, _ in await self._skip_unwanted(conn, rows, prefs)]
                if wanted:
                    digest = self._render(wanted, prefs[person_id], now, digest=True)
                    await self._send_and_record(conn, [digest], smtp, now)
                done += len(rows)
        return done

    # ---- webhooks ---------------------------------------------------------------------

    async def deliver_webhooks(self, pool: Pool, hooks: WebhookSender, now: datetime) -> int:
        async with pool.acquire() as conn, conn.transaction():
            rows = await webhooks.claim_due(conn, now, self.settings.sender_batch_size)

            def deliver(row: Row) -> Callable[[], Awaitable[AttemptResult]]:
                return lambda: hooks.deliver(
                    webhooks.to_domain({**row, "id": row["subscription_id"]}),
                    message_id=row["dedup_key"],
                    event_type=row["event_type"],
                    body=bytes(row["body"]),
                    now=now,
                )

            calls = [deliver(row) for row in rows]
            results = await _bounded(calls, self.settings.webhook_concurrency)
            for row, result in zip(rows, results, strict=True):
                try:
                    async with conn.transaction():
                        await self._record_webhook(conn, row, result, now)
                except Exception as exc:
                    log.warning("notifications.webhook_not_recorded", error=repr(exc)[:300])
            return len(rows)

    async def _record_webhook(
        self, conn: Any, row: Row, result: AttemptResult, now: datetime
    ) -> None:
        subscription_id: UUID = row["subscription_id"]
        metrics.ATTEMPTS.labels("webhook", result.outcome.value).inc()
        state = _state(row).record(result, now, self.policy)
        await webhooks.record_attempt(
            conn,
            row["id"],
            now=now,
            outcome=result.outcome.value,
            status_code=result.status,
            detail=result.detail,
            new_status=WEBHOOK_STATUS[state.status],
            attempts=state.attempts,
            next_attempt_at=state.next_attempt_at,
        )
        if state.status is DeliveryStatus.DELIVERED:
            await webhooks.subscription_succeeded(conn, subscription_id)
        elif state.status is DeliveryStatus.FAILED:
            metrics.FAILED.labels("webhook").inc()
            if await webhooks.subscription_failed(conn, subscription_id, now):
                log.warning("notifications.webhook_paused", subscription=str(subscription_id))
