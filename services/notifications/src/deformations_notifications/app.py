"""The notifications service: e-mails, calendar invites and webhooks, when people asked."""

from fastapi import FastAPI

from deformations_common.limits import RateLimit
from deformations_common.service import ServiceDefinition
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_notifications import api, web
from deformations_notifications.jobs import Sender, WebhookWorker
from deformations_notifications.settings import NotificationsSettings
from deformations_notifications.subscribers import handlers

# Pages reached from e-mails, without a session: unsubscribe, relay reply and report.
ANONYMOUS_FORMS = ("/v1/unsubscribe", "/v1/relay/reply", "/v1/relay/report")


def definition(
    settings: NotificationsSettings | None = None, *, clock: Clock = system_clock
) -> ServiceDefinition[NotificationsSettings]:
    """The service; tests pass a ``ManualClock`` to drive quiet hours and digests."""
    settings = settings or NotificationsSettings()
    sender = Sender(settings)
    webhooks = WebhookWorker(settings)

    def configure(app: FastAPI) -> None:
        # Tests count the sender's rounds instead of sleeping.
        app.state.sender = sender
        app.state.webhooks = webhooks

    return ServiceDefinition(
        settings=settings,
        title="deformations — notifications",
        description="Dit aux personnes ce qui les concerne, quand et comme elles l'ont demandé.",
        migrations_package="deformations_notifications.migrations",
        handlers=handlers,
        routers=[*api.routers, *web.routers],
        background=[sender.run, webhooks.run],
        configure_app=configure,
        clock=clock,
        rate_limits=[RateLimit(p, per_minute=10, burst=5) for p in ANONYMOUS_FORMS],
    )
