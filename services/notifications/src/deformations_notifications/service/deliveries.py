"""Delivering due webhook deliveries, signed, and recording every attempt.

A subscription is paused once ``max_consecutive_failures`` deliveries failed in a row;
its deliveries are then held (not claimed) until an operator resumes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from deformations_common.logging import get_logger
from deformations_notifications import metrics
from deformations_notifications.domain.outcome import AttemptResult
from deformations_notifications.domain.retry import DeliveryState, DeliveryStatus, RetryPolicy
from deformations_notifications.domain.webhooks import WebhookSubscription
from deformations_notifications.repositories.webhooks import to_domain
from deformations_notifications.service.uow import NotificationsUow

log = get_logger()
Row = Mapping[str, Any]
T = TypeVar("T")
WEBHOOK_STATUS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.FAILED: "failed",
    DeliveryStatus.PENDING: "pending",
}


class HookSender(Protocol):
    async def deliver(
        self,
        subscription: WebhookSubscription,
        *,
        message_id: str,
        event_type: str,
        body: bytes,
        now: datetime,
    ) -> AttemptResult: ...


def delivery_state(row: Row) -> DeliveryState:
    # The row id gives each notification its own, stable retry jitter.
    return DeliveryState(seed=UUID(str(row["id"])).int % 2**61, attempts=row["attempts"])


async def bounded(calls: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Run the calls, at most ``limit`` at once; results in the calls' order."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


async def _record(
    uow: NotificationsUow, row: Row, result: AttemptResult, policy: RetryPolicy
) -> None:
    subscription_id: UUID = row["subscription_id"]
    now = uow.now()
    metrics.ATTEMPTS.labels("webhook", result.outcome.value).inc()
    state = delivery_state(row).record(result, now, policy)
    await uow.webhooks.record_attempt(
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
        await uow.webhooks.subscription_succeeded(subscription_id)
    elif state.status is DeliveryStatus.FAILED:
        metrics.FAILED.labels("webhook").inc()
        if await uow.webhooks.subscription_failed(subscription_id, now):
            log.warning("notifications.webhook_paused", subscription=str(subscription_id))


async def deliver_webhooks(uow: NotificationsUow, hooks: HookSender, policy: RetryPolicy) -> int:
    """The due deliveries of active subscriptions; returns how many were attempted."""
    now = uow.now()
    rows = await uow.webhooks.claim_due(now, uow.settings.sender_batch_size)

    def deliver(row: Row) -> Callable[[], Awaitable[AttemptResult]]:
        return lambda: hooks.deliver(
            to_domain({**row, "id": row["subscription_id"]}),
            message_id=row["dedup_key"],
            event_type=row["event_type"],
            body=bytes(row["body"]),
            now=now,
        )

    results = await bounded([deliver(row) for row in rows], uow.settings.webhook_concurrency)
    for row, result in zip(rows, results, strict=True):
        try:
            async with uow.savepoint():
                await _record(uow, row, result, policy)
        except Exception as exc:
            log.warning("notifications.webhook_not_recorded", error=repr(exc)[:300])
    return len(rows)
