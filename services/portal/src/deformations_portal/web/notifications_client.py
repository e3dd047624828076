"""The portal's client for notifications: the one ``ServiceClient`` with notifications'
errors, in an operator's name (failed deliveries, relay reports) or a person's (writing
through the contact relay)."""

from __future__ import annotations

from deformations_common.vocabulary.errors import (
    DomainError,
    ForbiddenAction,
    InvalidInput,
    NotFoundError,
)
from deformations_portal.domain.memberships import Membership
from deformations_portal.settings import DEFAULT_SERVICE_URLS
from deformations_portal.web.context import Page
from deformations_portal.web.service_client import Service, ServiceClient, client_for, my_client


class NotificationsRefused(InvalidInput):
    code = "notifications_invalid_input"


class NotificationsForbidden(ForbiddenAction):
    code = "notifications_forbidden"


class NotificationsNotFound(NotFoundError):
    """Nothing (any more) to act on: not failed, a report already handled."""

    code = "notifications_not_found"


class NotificationsLimited(DomainError):
    """Past the sender's relay limits: the service says when to try again."""

    code, status = "notifications_limited", 429


class NotificationsUnavailable(DomainError):
    code, status = "notifications_unavailable", 503


NOTIFICATIONS = Service(
    name="notifications",
    default_url=DEFAULT_SERVICE_URLS["notifications"],
    what="de notifications",
    errors={
        400: NotificationsRefused,
        401: NotificationsForbidden,
        403: NotificationsForbidden,
        404: NotificationsNotFound,
        422: NotificationsRefused,
        429: NotificationsLimited,
    },
    unavailable=NotificationsUnavailable,
)


async def as_operator(page: Page, acting: Membership) -> ServiceClient:
    """Notifications in the operator's name (her operator membership)."""
    return await client_for(page, NOTIFICATIONS, acting)


async def as_person(page: Page) -> ServiceClient:
    """Notifications in the signed-in person's name, acting as they act now."""
    return await my_client(page, NOTIFICATIONS)
