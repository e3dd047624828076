"""HTTP API of the notifications service (JSON); the pages mail links open are in ``web/``."""

from fastapi import APIRouter

from deformations_notifications.api import (
    deliveries,
    notifications,
    recipients,
    relay,
    relay_reports,
    webhooks,
)

routers: list[APIRouter] = [
    recipients.router,
    notifications.router,
    webhooks.router,
    deliveries.router,
    relay.router,
    relay_reports.router,
]
