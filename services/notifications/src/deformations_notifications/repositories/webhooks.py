"""SQL of webhook subscriptions, their deliveries and every attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from asyncpg import Record

from deformations_common.db import Connection
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.outcome import without_addresses
from deformations_notifications.domain.webhooks import WebhookSubscription

PUBLIC = """id, url, event_types, description, max_consecutive_failures,
            consecutive_failures, paused_at, created_by, created_at"""


def to_domain(row: Record | dict[str, Any]) -> WebhookSubscription:
    return WebhookSubscription(
        id=str(row["id"]),
        url=row["url"],
        secret=row["secret"],
        event_types=frozenset(row["event_types"]),
        max_consecutive_failures=row["max_consecutive_failures"],
        consecutive_failures=row["consecutive_failures"],
        paused_at=row["paused_at"],
    )


class WebhookRepository:
    """Webhook subscriptions, deliveries and attempts."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def create(
        self, s: WebhookSubscription, *, description: str, created_by: str
    ) -> dict[str, Any]:
        row = await self.conn.fetchrow(
            f"""INSERT INTO webhook_subscriptions (id, url, secret, event_types, description,
                    max_consecutive_failures, created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {PUBLIC}""",
            UUID(s.id),
            s.url,
            s.secret,
            sorted(s.event_types),
            description,
            s.max_consecutive_failures,
            created_by,
        )
        assert row is not None
        return dict(row.items())

    async def list_public(self) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            f"SELECT {PUBLIC} FROM webhook_subscriptions ORDER BY created_at"
        )
        return [dict(r.items()) for r in rows]

    async def get_public(self, subscription_id: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            f"SELECT {PUBLIC} FROM webhook_subscriptions WHERE id = $1", subscription_id
        )
        return None if row is None else dict(row.items())

    async def all_subscriptions(self) -> list[WebhookSubscription]:
        rows = await self.conn.fetch("SELECT * FROM webhook_subscriptions")
        return [to_domain(r) for r in rows]

    async def resume(self, subscription_id: UUID) -> bool:
        status = await self.conn.execute(
            """UPDATE webhook_subscriptions SET paused_at = NULL, consecutive_failures = 0
               WHERE id = $1""",
            subscription_id,
        )
        return status.endswith(" 1")

    async def delete(self, subscription_id: UUID) -> bool:
        status = await self.conn.execute(
            "DELETE FROM webhook_subscriptions WHERE id = $1", subscription_id
        )
        return status.endswith(" 1")

    async def record_delivery(
        self, key: DedupKey, subscription_id: str, event_type: str, body: bytes
    ) -> bool:
        inserted = await self.conn.fetchval(
            """INSERT INTO webhook_deliveries (id, dedup_key, subscription_id, event_type, body)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedup_key) DO NOTHING RETURNING true""",
            uuid4(),
            key.value,
            UUID(subscription_id),
            event_type,
            body,
        )
        return bool(inserted)

    async def claim_due(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Due deliveries of active subscriptions, locked for this sender; a paused one waits."""
        rows = await self.conn.fetch(
            """SELECT d.id, d.dedup_key, d.event_type, d.body, d.attempts, s.id AS subscription_id,
                      s.url, s.secret, s.event_types, s.max_consecutive_failures,
                      s.consecutive_failures, s.paused_at
               FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
               WHERE d.status = 'pending' AND s.paused_at IS NULL
                 AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $1)
               ORDER BY d.created_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED""",
            now,
            limit,
        )
        return [dict(r.items()) for r in rows]

    async def record_attempt(
        self,
        delivery_id: UUID,
        *,
        now: datetime,
        outcome: str,
        status_code: int | None,
        detail: str,
        new_status: str,
        attempts: int,
        next_attempt_at: datetime | None,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO webhook_attempts VALUES ($1, $2, $3, $4, $5)",
            delivery_id,
            now,
            outcome,
            status_code,
            without_addresses(detail)[:500],
        )
        await self.conn.execute(
            """UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4,
                      last_error = $5, last_status = $6,
                      delivered_at = CASE WHEN $2 = 'delivered' THEN $7::timestamptz END
               WHERE id = $1""",
            delivery_id,
            new_status,
            attempts,
            next_attempt_at,
            without_addresses(detail)[:500] or None,
            status_code,
            now,
        )

    async def subscription_succeeded(self, subscription_id: UUID) -> None:
        await self.conn.execute(
            "UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE id = $1",
            subscription_id,
        )

    async def subscription_failed(self, subscription_id: UUID, now: datetime) -> bool:
        """Count a delivery that finally failed; pause at the threshold. True when now paused."""
        paused = await self.conn.fetchval(
            """UPDATE webhook_subscriptions
               SET consecutive_failures = consecutive_failures + 1,
                   paused_at = CASE WHEN paused_at IS NULL
                                     AND consecutive_failures + 1 >= max_consecutive_failures
                                THEN $2 ELSE paused_at END
               WHERE id = $1 RETURNING paused_at IS NOT NULL""",
            subscription_id,
            now,
        )
        return bool(paused)

    async def deliveries(self, subscription_id: UUID, limit: int) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            """SELECT d.id, d.dedup_key AS webhook_id, d.event_type, d.status, d.attempts,
                      d.next_attempt_at, d.last_error, d.last_status, d.created_at, d.delivered_at,
                      COALESCE((SELECT json_agg(json_build_object(
                            'attempted_at', a.attempted_at, 'outcome', a.outcome,
                            'status', a.status, 'detail', a.detail) ORDER BY a.attempted_at)
                         FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempt_log
               FROM webhook_deliveries d WHERE d.subscription_id = $1
               ORDER BY d.created_at DESC LIMIT $2""",
            subscription_id,
            limit,
        )
        return [dict(r.items()) for r in rows]

    async def failed_deliveries(self, limit: int) -> list[dict[str, Any]]:
        """For operators: failed deliveries of every subscription, newest first, no body."""
        rows = await self.conn.fetch(
            """SELECT d.id, d.event_type, d.attempts, d.last_error, d.last_status,
                      d.created_at, d.subscription_id, s.url, s.paused_at
               FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
               WHERE d.status = 'failed' ORDER BY d.created_at DESC LIMIT $1""",
            limit,
        )
        return [dict(r.items()) for r in rows]

    async def retry_failed(self, delivery_id: UUID) -> bool:
        """A failed delivery gets a fresh set of attempts, due now; False if not failed."""
        status = await self.conn.execute(
            """UPDATE webhook_deliveries SET status = 'pending', attempts = 0,
                      next_attempt_at = NULL
               WHERE id = $1 AND status = 'failed'""",
            delivery_id,
        )
        return status.endswith(" 1")
