"""The background jobs, round after round: the sender (due e-mails and digests) and the
webhook worker (due deliveries), apart so that neither can hold up the other.

Every replica runs both; each step is a use case of ``service/`` in its own unit of work,
reading the time from the service's clock (a test moves it, a deployment cannot).
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AbstractAsyncContextManager

from deformations_common.logging import get_logger
from deformations_common.service import Runtime
from deformations_common.settings import Environment
from deformations_notifications import metrics
from deformations_notifications.delivery.egress import guarded_client
from deformations_notifications.delivery.smtp import SmtpPool
from deformations_notifications.delivery.webhook import WebhookSender
from deformations_notifications.rendering.compose import Composer
from deformations_notifications.service import deliveries, sending
from deformations_notifications.service.uow import NotificationsUow
from deformations_notifications.settings import NotificationsSettings

log = get_logger()
DIGESTS_PER_TICK = 20


class Sender:
    def __init__(self, settings: NotificationsSettings) -> None:
        self.settings = settings
        self.composer = Composer(settings)
        self.policy = settings.retry_policy()
        # Rounds completed: tests wait on it instead of sleeping.
        self.ticks = 0
        self._counted_at = float("-inf")

    async def run(self, runtime: Runtime[NotificationsSettings]) -> None:
        s = self.settings
        async with SmtpPool(s.smtp(), s.smtp_connections) as smtp:
            while True:
                busy = False
                try:
                    busy = await self.tick(runtime, smtp) > 0
                except Exception as exc:  # the job must outlive a database restart
                    log.warning("notifications.sender_failed", error=repr(exc)[:300])
                self.ticks += 1
                if not busy:
                    await asyncio.sleep(s.sender_poll_interval_s)

    async def tick(self, runtime: Runtime[NotificationsSettings], smtp: sending.MailSender) -> int:
        """One round; returns how many rows it took care of."""
        async with runtime.begin(NotificationsUow) as uow:
            await sending.refresh_family_labels(uow, self.composer)

        def begin() -> AbstractAsyncContextManager[NotificationsUow]:
            return runtime.begin(NotificationsUow)

        done = await sending.resend_in_doubt(begin, smtp, self.composer, self.policy)
        done += await sending.send_due(begin, smtp, self.composer, self.policy)
        async with runtime.begin(NotificationsUow) as uow:
            people = await sending.digest_recipients(uow, DIGESTS_PER_TICK)
        for person_id in people:
            done += await sending.send_digest(begin, person_id, smtp, self.composer, self.policy)
        await self._refresh_gauges(runtime)
        return done

    async def _refresh_gauges(self, runtime: Runtime[NotificationsSettings]) -> None:
        # Counting by status scans the table: not at every round of a busy sender.
        if time.monotonic() - self._counted_at < self.settings.metrics_refresh_s:
            return
        async with runtime.begin(NotificationsUow) as uow:
            metrics.refresh(await uow.notifications.counts())
        self._counted_at = time.monotonic()


class WebhookWorker:
    """Webhook deliveries, apart from e-mail: a slow receiver holds only this worker, and
    each delivery has a total timeout (``WEBHOOK_TIMEOUT_S``)."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self.settings = settings
        self.policy = settings.retry_policy()
        self.ticks = 0

    async def run(self, runtime: Runtime[NotificationsSettings]) -> None:
        s = self.settings
        async with guarded_client(s.webhook_concurrency, s.webhook_allowed_networks) as http:
            hooks = WebhookSender(
                http,
                timeout=s.webhook_timeout_s,
                allow_http=s.environment is not Environment.PRODUCTION,
            )
            while True:
                busy = False
                try:
                    busy = await self.tick(runtime, hooks) > 0
                except Exception as exc:  # the job must outlive a database restart
                    log.warning("notifications.webhooks_failed", error=repr(exc)[:300])
                self.ticks += 1
                if not busy:
                    await asyncio.sleep(s.sender_poll_interval_s)

    async def tick(
        self, runtime: Runtime[NotificationsSettings], hooks: deliveries.HookSender
    ) -> int:
        async with runtime.begin(NotificationsUow) as uow:
            return await deliveries.deliver_webhooks(uow, hooks, self.policy)
