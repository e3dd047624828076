"""The unit of work of notifications: its transaction, clock, settings and repositories."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from deformations_common.unit_of_work import UnitOfWork
from deformations_notifications.repositories.memberships import MembershipRepository
from deformations_notifications.repositories.notifications import NotificationRepository
from deformations_notifications.repositories.read_models import ReadModelRepository
from deformations_notifications.repositories.recipients import RecipientRepository
from deformations_notifications.repositories.relay import RelayRepository
from deformations_notifications.repositories.webhooks import WebhookRepository
from deformations_notifications.settings import NotificationsSettings


class NotificationsUow(UnitOfWork[NotificationsSettings]):
    """Repositories over the transaction's connection; a fake replaces them in fast tests."""

    @property
    def recipients(self) -> RecipientRepository:
        return RecipientRepository(self.conn)

    @property
    def notifications(self) -> NotificationRepository:
        return NotificationRepository(self.conn)

    @property
    def memberships(self) -> MembershipRepository:
        return MembershipRepository(self.conn)

    @property
    def read_models(self) -> ReadModelRepository:
        return ReadModelRepository(self.conn)

    @property
    def webhooks(self) -> WebhookRepository:
        return WebhookRepository(self.conn)

    @property
    def relay(self) -> RelayRepository:
        return RelayRepository(self.conn)

    def savepoint(self) -> AbstractAsyncContextManager[Any]:
        """A nested transaction: what fails in it is undone without spoiling the rest."""
        savepoint: AbstractAsyncContextManager[Any] = self.conn.transaction()
        return savepoint
