"""Notifications as their recipient and operators see them; an operator's retry."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from deformations_notifications.domain.errors import NotificationNotFailed
from deformations_notifications.service.uow import NotificationsUow


async def of_recipient(uow: NotificationsUow, person_id: str) -> list[dict[str, Any]]:
    """The notifications recorded for a person, newest first."""
    return await uow.notifications.list_for_recipient(person_id)


async def by_status(uow: NotificationsUow, status: str, limit: int) -> list[dict[str, Any]]:
    """For operators: the notifications in a status, without content."""
    return await uow.notifications.list_by_status(status, limit)


async def retry(uow: NotificationsUow, notification_id: UUID) -> None:
    """A failed notification gets a fresh set of attempts, from now."""
    if not await uow.notifications.retry_failed(notification_id, uow.now()):
        raise NotificationNotFailed()
