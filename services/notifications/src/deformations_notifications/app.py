"""The notifications service: e-mails, calendar invites and webhooks, when people asked."""

from fastapi import FastAPI

from deformations_common.limits import RateLimit
from deformations_common.service import ServiceDefinition
from deformations_notifications.api import routers
from deformations_notifications.clock import Clock, system_clock
from deformations_notifications.sending.sender import Sender
from deformations_notifications.settings import NotificationsSettings
from deformations_notifications.subscribers import build_handlers

# Pages reached from e-mails, without a session: unsubscribe and relay reply.
ANONYMOUS_FORMS = ("/v1/unsubscribe", "/v1/relay/reply")


def definition(
    settings: NotificationsSettings | None = None, *, clock: Clock = system_clock
) -> ServiceDefinition[NotificationsSettings]:
    """The service; tests pass a ``ManualClock`` to drive quiet hours and digests."""
    settings = settings or NotificationsSettings()
    sender = Sender(settings, clock)

    def configure(app: FastAPI) -> None:
        app.state.clock = clock
        app.state.sender = sender

    return ServiceDefinition(
        settings=settings,
        title="deformations — notifications",
        description="Dit aux personnes ce qui les concerne, quand et comme elles l'ont demandé.",
        migrations_package="deformations_notifications.migrations",
        handlers=build_handlers(clock),
        routers=routers,
        background=[sender.run],
        configure_app=configure,
        rate_limits=[RateLimit(p, per_minute=10, burst=5) for p in ANONYMOUS_FORMS],
    )
