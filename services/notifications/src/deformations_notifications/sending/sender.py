"""The sender job: due e-mails, due digests and due webhook deliveries, again and again.

Every replica runs it. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` inside the
transaction that records the outcome, so two replicas never send the same row, and a
replica that dies mid-send leaves its rows to be sent again (at least once, never lost).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import httpx

from deformations_common.db import Pool
from deformations_common.logging import get_logger
from deformations_common.service import Runtime
from deformations_notifications.clock import Clock
from deformations_notifications.delivery.smtp import SmtpSender
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


class Sender:
    def __init__(self, settings: NotificationsSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.composer = Composer(settings)
        self.policy = settings.retry_policy()
        # Rounds completed: tests wait on it instead of sleeping.
        self.ticks = 0

    async def run(self, runtime: Runtime) -> None:
        timeout = self.settings.webhook_timeout_s
        async with SmtpSender(self.settings.smtp()) as smtp, httpx.AsyncClient() as http:
            hooks = WebhookSender(http, timeout=timeout)
            while True:
                busy = False
                try:
                    busy = await self.tick(runtime.pool, smtp, hooks) > 0
                except Exception as exc:  # the job must outlive a database restart
                    log.warning("notifications.sender_failed", error=repr(exc)[:300])
                self.ticks += 1
                if not busy:
                    await asyncio.sleep(self.settings.sender_poll_interval_s)

    async def tick(self, pool: Pool, smtp: SmtpSender, hooks: WebhookSender) -> int:
        """One round; returns how many rows it took care of."""
        now = self.clock()
        done = await self.send_due(pool, smtp, now)
        done += await self.send_digests(pool, smtp, now)
        done += await self.deliver_webhooks(pool, hooks, now)
        async with pool.acquire() as conn:
            metrics.refresh(await notifications.counts(conn))
        return done

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

    def _still_wanted(
        self, row: Row, prefs: Mapping[str, RecipientPreferences]
    ) -> RecipientPreferences | str:
        """The recipient's preferences, or why the message must not go any more."""
        person = prefs.get(row["recipient_id"])
        reason = skip_reason(person, Channel.EMAIL, _family(row["event_type"]))
        if reason is not None or person is None:
            return reason.value if reason else "not_registered"
        return person

    async def send_due(self, pool: Pool, smtp: SmtpSender, now: datetime) -> int:
        async with pool.acquire() as conn, conn.transaction():
            rows = await notifications.claim_due(conn, now, self.settings.sender_batch_size)
            prefs = await recipients.preferences_of(conn, {r["recipient_id"] for r in rows})
            for row in rows:
                try:
                    # A savepoint per row: one that cannot be recorded spoils no other.
                    async with conn.transaction():
                        await self._send_one(conn, row, prefs, smtp, now)
                except Exception as exc:
                    log.warning("notifications.email_not_recorded", error=repr(exc)[:300])
            return len(rows)

    async def _send_one(
        self,
        conn: Any,
        row: Row,
        prefs: Mapping[str, RecipientPreferences],
        smtp: SmtpSender,
        now: datetime,
    ) -> None:
        person = self._still_wanted(row, prefs)
        if isinstance(person, str):
            await notifications.mark_skipped(conn, [row["id"]], person)
            return
        try:
            message = self.composer.single(row, person, now)
        except Exception as exc:  # a template bug: no retry will fix it
            result = AttemptResult(Outcome.PERMANENT, f"rendering: {exc!r}"[:500])
        else:
            result = await smtp.send(message)
        await self._record(conn, [row], result, now)

    async def send_digests(self, pool: Pool, smtp: SmtpSender, now: datetime) -> int:
        async with pool.acquire() as conn:
            people = await notifications.digest_recipients(conn, now, DIGESTS_PER_TICK)
        done = 0
        for person_id in people:
            async with pool.acquire() as conn, conn.transaction():
                rows = await notifications.claim_digest(conn, person_id, now)
                prefs = await recipients.preferences_of(conn, [person_id])
                wanted = []
                for row in rows:
                    person = self._still_wanted(row, prefs)
                    if isinstance(person, str):
                        await notifications.mark_skipped(conn, [row["id"]], person)
                    else:
                        wanted.append(row)
                if wanted:
                    message = self.composer.digest(wanted, prefs[person_id], now)
                    await self._record(conn, wanted, await smtp.send(message), now)
                done += len(rows)
        return done

    async def deliver_webhooks(self, pool: Pool, hooks: WebhookSender, now: datetime) -> int:
        async with pool.acquire() as conn, conn.transaction():
            rows = await webhooks.claim_due(conn, now, self.settings.sender_batch_size)
            paused: set[UUID] = set()
            for row in rows:
                if row["subscription_id"] in paused:
                    continue  # stays pending until the subscription is resumed
                try:
                    async with conn.transaction():
                        if await self._deliver_one(conn, row, hooks, now):
                            paused.add(row["subscription_id"])
                except Exception as exc:
                    log.warning("notifications.webhook_not_recorded", error=repr(exc)[:300])
            return len(rows)

    async def _deliver_one(self, conn: Any, row: Row, hooks: WebhookSender, now: datetime) -> bool:
        """Deliver one row and record it; True when its subscription got paused."""
        subscription_id: UUID = row["subscription_id"]
        result = await hooks.deliver(
            webhooks.to_domain({**row, "id": subscription_id}),
            message_id=row["dedup_key"],
            event_type=row["event_type"],
            body=bytes(row["body"]),
            now=now,
        )
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
            return False
        if state.status is DeliveryStatus.FAILED:
            metrics.FAILED.labels("webhook").inc()
            if await webhooks.subscription_failed(conn, subscription_id, now):
                log.warning("notifications.webhook_paused", subscription=str(subscription_id))
                return True
        return False
