"""Notifications throughput through the service's own sender job.

Figures include everything the production path does per item: claiming rows with
``FOR UPDATE SKIP LOCKED``, rendering the French templates (with an iCalendar invitation
for e-mails), sending over SMTP to a local aiosmtpd server or POSTing a signed webhook to
a local uvicorn receiver that verifies each signature, and recording the outcome.

    scripts/with-services uv run python bench/notifications.py
"""

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.notifications.catchers import MailCatcher, WebhookReceiver
from deformations_devtools.testing import (
    Infra,
    create_database,
    delete_broker_objects,
    drop_database,
    isolated_settings,
    running,
    wait_until,
)
from deformations_notifications.app import definition
from deformations_notifications.delivery.signatures import make_secret
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.preferences import Channel, Consent, RecipientPreferences
from deformations_notifications.domain.webhooks import WebhookSubscription
from deformations_notifications.repositories.notifications import (
    NewNotification,
    NotificationRepository,
)
from deformations_notifications.repositories.recipients import RecipientRepository
from deformations_notifications.repositories.webhooks import WebhookRepository
from deformations_notifications.settings import NotificationsSettings

EMAILS = 300
WEBHOOKS = 500
# Set when the run starts; the sender's clock stands still at it.
NOW = datetime.now(UTC)


def _session(person: str, i: int) -> dict[str, Any]:
    start = NOW + timedelta(days=7, hours=i % 8)
    return {
        "session_id": str(uuid.uuid4()),
        "kind": "cafe_elus_techniciens",
        "related_id": str(uuid.uuid4()),
        "title": "Café élus-techniciens",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place_label": "Salle du conseil, mairie de Crest",
        "participants": [person],
        "sequence": 0,
        "scheduled_at": NOW.isoformat(),
    }


async def _emails(service: Any, catcher: MailCatcher) -> float:
    pool = service.state.runtime.pool
    async with pool.acquire() as conn, conn.transaction():
        for i in range(EMAILS):
            person = f"bench-{i}"
            prefs = RecipientPreferences(
                person, f"{person}@example.org", quiet_hours=None, consent=Consent(NOW, "ok")
            )
            await RecipientRepository(conn).save(prefs, NOW)
            await NotificationRepository(conn).record(
                NewNotification(
                    key=DedupKey("bench", str(i), person, Channel.EMAIL),
                    event_type="session.scheduled.v1",
                    template="session.scheduled",
                    item_key=f"session:{i}",
                    occurred_at=NOW,
                    payload=_session(person, i),
                    send_at=NOW,
                ),
            )
        # The clock starts when the rows become visible to the sender: at this commit.
        started = time.perf_counter()
    await wait_until(lambda: len(catcher.received) >= EMAILS, timeout_s=300, what="mails")
    return EMAILS / (time.perf_counter() - started)


async def _webhooks(service: Any, receiver: WebhookReceiver) -> float:
    pool = service.state.runtime.pool
    subscription = WebhookSubscription(
        str(uuid.uuid4()), receiver.url, make_secret(b"b" * 32), frozenset({"*"})
    )
    receiver.secrets.append(subscription.secret)
    body = json.dumps({"type": "fr.deformations.loan.agreed.v1", "data": {"n": 1}}).encode()
    async with pool.acquire() as conn, conn.transaction():
        hooks = WebhookRepository(conn)
        await hooks.create(subscription, description="bench", created_by="bench")
        for i in range(WEBHOOKS):
            key = DedupKey("bench", str(i), subscription.id, Channel.WEBHOOK)
            await hooks.record_delivery(key, subscription.id, "loan.agreed.v1", body)
        started = time.perf_counter()
    await wait_until(lambda: len(receiver.accepted) >= WEBHOOKS, timeout_s=300, what="webhooks")
    return WEBHOOKS / (time.perf_counter() - started)


async def run(infra: Infra) -> dict[str, float]:
    database_url = await create_database(infra.admin_database_url)
    namespace = f"b{uuid.uuid4().hex[:10]}"
    try:
        async with MailCatcher.running() as catcher, WebhookReceiver.running() as receiver:
            settings = isolated_settings(
                NotificationsSettings,
                infra,
                database_url,
                namespace,
                "notifications",
                smtp_port=catcher.port,
                sender_poll_interval_s=0.02,
                sender_batch_size=200,
            )
            # Near real time: the receiver checks signed timestamps against its clock.
            app = create_app(definition(settings, clock=ManualClock(NOW)))
            try:
                async with running(app):
                    emails = await _emails(app, catcher)
                    hooks = await _webhooks(app, receiver)
            finally:
                handlers = app.state.definition.handlers
                await delete_broker_objects(infra.amqp_url, settings, handlers.subscriptions)
    finally:
        await drop_database(infra.admin_database_url, database_url)
    return {
        "emails_per_s": round(emails, 1),
        "webhooks_per_s": round(hooks, 1),
    }


if __name__ == "__main__":
    import os

    infra = Infra(
        os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    print(json.dumps(asyncio.run(run(infra))))
