"""What an incoming event causes: notifications for the people concerned, webhook deliveries.

Called by the subscribers inside the inbox transaction: everything recorded here commits
with the inbox record or not at all, and every row has a unique dedup key, so a redelivered
event records nothing twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from deformations_common.consumer import EventContext
from deformations_common.db import Connection
from deformations_contracts.base import EventData
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_notifications.domain.audience import Audience, audience_of
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.planning import (
    IncomingEvent,
    SkipReason,
    plan,
    plan_webhooks,
)
from deformations_notifications.domain.preferences import Channel
from deformations_notifications.repositories import notifications, recipients, webhooks
from deformations_notifications.repositories.notifications import NewNotification
from deformations_notifications.settings import NotificationsSettings

# People who have not registered (or consented) yet: their notifications wait for them.
WAITING = frozenset({SkipReason.NOT_REGISTERED, SkipReason.NO_CONSENT})
SUPERSEDED = "superseded"


def incoming(event: EventData, ctx: EventContext[NotificationsSettings]) -> IncomingEvent:
    attributes = ctx.attributes
    return IncomingEvent(
        source=attributes.source,
        id=str(attributes.id),
        routing_key=event.routing_key,
        occurred_at=attributes.time,
        data=event.model_dump(mode="json"),
    )


def webhook_body(event: IncomingEvent, ctx: EventContext[NotificationsSettings]) -> bytes:
    """The event as a structured-mode CloudEvent: receivers need no AMQP binding."""
    a = ctx.attributes
    document: dict[str, Any] = {
        "specversion": a.specversion,
        "id": str(a.id),
        "source": a.source,
        "type": a.type,
        "time": a.time.isoformat(),
        "datacontenttype": "application/json",
        "data": dict(event.data),
    }
    if a.subject:
        document["subject"] = a.subject
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


async def record_webhooks(
    conn: Connection, event: IncomingEvent, ctx: EventContext[NotificationsSettings]
) -> int:
    planned = plan_webhooks(event, await webhooks.all_subscriptions(conn))
    body = webhook_body(event, ctx) if planned else b""
    recorded = 0
    for delivery in planned:
        recorded += await webhooks.record_delivery(
            conn, delivery.dedup_key, delivery.subscription_id, event.routing_key, body
        )
    return recorded


async def resolve(conn: Connection, audience: Audience) -> set[str]:
    people = set(audience.people)
    if audience.sirens:
        people |= await recipients.people_of(conn, audience.sirens)
    if audience.campaigns:
        people |= await recipients.members_of(conn, audience.campaigns)
    return people


# News whose latest state is all people need: a newer one replaces those not sent yet.
LATEST_STATE_ONLY = frozenset({"diagnosis.team_updated"})


async def _superseded(conn: Connection, event: EventData, message: IncomingEvent) -> bool:
    if message.name in LATEST_STATE_ONLY:
        return await notifications.supersede_older_states(
            conn, message.name, message.item_key, message.occurred_at
        )
    return await _superseded_invitation(conn, event)


async def _superseded_invitation(conn: Connection, event: EventData) -> bool:
    """An invitation older than one already received for the session is not sent, and
    this one replaces those of the session still waiting to go (quiet hours)."""
    if not isinstance(event, SessionScheduled | SessionRescheduled | SessionCancelled):
        return False
    session_id = str(event.session_id)
    highest = await notifications.raise_session_version(conn, session_id, event.sequence)
    await notifications.supersede_older_invitations(conn, session_id, event.sequence)
    return event.sequence < highest


async def record_plan(
    conn: Connection,
    message: IncomingEvent,
    people: set[str],
    now: datetime,
    *,
    superseded: bool = False,
) -> int:
    """Record one notification per person: planned, waiting for them, or skipped with why."""
    preferences = await recipients.preferences_of(conn, people)
    planned, skipped = plan(message, people, preferences, now)
    rows = [
        NewNotification(
            key=p.dedup_key,
            event_type=message.routing_key,
            template=p.template,
            item_key=p.item_key,
            occurred_at=message.occurred_at,
            payload=dict(message.data),
            send_at=p.send_at,
            batched=p.batched,
            status="skipped" if superseded else "pending",
            skip_reason=SUPERSEDED if superseded else None,
        )
        for p in planned
    ]
    for s in skipped:
        waiting = s.reason in WAITING and not superseded
        rows.append(
            NewNotification(
                key=DedupKey(message.source, message.id, s.recipient, Channel.EMAIL),
                event_type=message.routing_key,
                template=message.name,
                item_key=message.item_key,
                occurred_at=message.occurred_at,
                payload=dict(message.data),
                send_at=None,
                status="pending" if waiting else "skipped",
                skip_reason=SUPERSEDED if superseded else s.reason.value,
            )
        )
    recorded = 0
    for row in rows:
        recorded += await notifications.record(conn, row)
    return recorded


async def record_notifications(
    conn: Connection, event: EventData, message: IncomingEvent, now: datetime
) -> int:
    people = await resolve(conn, audience_of(event))
    if not people:
        return 0
    superseded = await _superseded(conn, event, message)
    return await record_plan(conn, message, people, now, superseded=superseded)


async def handle(
    event: EventData, ctx: EventContext[NotificationsSettings], conn: Connection, now: datetime
) -> None:
    message = incoming(event, ctx)
    await record_webhooks(conn, message, ctx)
    await record_notifications(conn, event, message, now)
