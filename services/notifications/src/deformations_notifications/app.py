"""The notifications service: e-mails, calendar invites and webhooks, when people asked."""

from deformations_common.service import ServiceDefinition
from deformations_notifications.api import router
from deformations_notifications.settings import NotificationsSettings
from deformations_notifications.subscribers import handlers


def definition(settings: NotificationsSettings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        settings=settings or NotificationsSettings(),
        title="deformations — notifications",
        description="Dit aux personnes ce qui les concerne, quand et comme elles l'ont demandé.",
        migrations_package="deformations_notifications.migrations",
        handlers=handlers,
        routers=[router],
    )
