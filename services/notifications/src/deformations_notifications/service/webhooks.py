"""Webhook subscriptions of other systems, for operators; the secret is shown once."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

from deformations_common.settings import Environment
from deformations_notifications.delivery.signatures import make_secret
from deformations_notifications.domain.egress import refusal
from deformations_notifications.domain.errors import (
    DeliveryNotFailed,
    UnknownSubscription,
    WebhookAddressRefused,
    WebhookNeedsHttps,
)
from deformations_notifications.domain.webhooks import WebhookSubscription
from deformations_notifications.service.uow import NotificationsUow


async def subscribe(
    uow: NotificationsUow, url: str, event_types: list[str], description: str, created_by: str
) -> tuple[dict[str, Any], str]:
    """The new subscription and its secret (only ever returned here)."""
    if uow.settings.environment is Environment.PRODUCTION and not url.startswith("https://"):
        raise WebhookNeedsHttps
    host = urlsplit(url).hostname or ""
    try:
        reason = refusal(host, uow.settings.webhook_allowed_networks)
    except ValueError:
        reason = None  # a name: judged on what it resolves to, at each connection
    if reason is not None:
        raise WebhookAddressRefused(reason)
    subscription = WebhookSubscription(
        id=str(uuid4()),
        url=url,
        secret=make_secret(secrets.token_bytes(32)),
        event_types=frozenset(event_types),
        max_consecutive_failures=uow.settings.webhook_max_failures,
    )
    row = await uow.webhooks.create(subscription, description=description, created_by=created_by)
    return row, subscription.secret


async def subscriptions(uow: NotificationsUow) -> list[dict[str, Any]]:
    return await uow.webhooks.list_public()


async def subscription(uow: NotificationsUow, subscription_id: UUID) -> dict[str, Any]:
    row = await uow.webhooks.get_public(subscription_id)
    if row is None:
        raise UnknownSubscription(subscription_id)
    return row


async def resume(uow: NotificationsUow, subscription_id: UUID) -> dict[str, Any]:
    """A paused subscription goes on: its held deliveries go out again."""
    if not await uow.webhooks.resume(subscription_id):
        raise UnknownSubscription(subscription_id)
    return await subscription(uow, subscription_id)


async def delete(uow: NotificationsUow, subscription_id: UUID) -> None:
    if not await uow.webhooks.delete(subscription_id):
        raise UnknownSubscription(subscription_id)


async def deliveries(
    uow: NotificationsUow, subscription_id: UUID, limit: int
) -> list[dict[str, Any]]:
    """Every delivery of the subscription, newest first, each with its attempts."""
    await subscription(uow, subscription_id)
    return await uow.webhooks.deliveries(subscription_id, limit)


async def failed_deliveries(uow: NotificationsUow, limit: int) -> list[dict[str, Any]]:
    return await uow.webhooks.failed_deliveries(limit)


async def retry_delivery(uow: NotificationsUow, delivery_id: UUID) -> None:
    """A failed delivery is tried again (a paused subscription holds it until resumed);
    asking twice changes nothing the second time."""
    if not await uow.webhooks.retry_failed(delivery_id):
        raise DeliveryNotFailed()
