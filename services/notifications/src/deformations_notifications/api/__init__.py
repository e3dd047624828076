"""HTTP API of the notifications service."""

from fastapi import APIRouter

from deformations_notifications.api import notifications, recipients, relay, unsubscribe, webhooks

routers: list[APIRouter] = [
    recipients.router,
    notifications.router,
    unsubscribe.router,
    webhooks.router,
    relay.router,
]
