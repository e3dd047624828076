"""Recording what an event causes: one notification per person, one delivery per webhook.

Every row has a unique dedup key, so recording the same event twice records nothing the
second time; the rows commit with the unit of work (and the inbox record) or not at all.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from deformations_contracts.cloudevents import CloudEventAttributes
from deformations_notifications.domain.audience import Audience, RoleHolders, holders_among
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.planning import (
    IncomingEvent,
    PlannedNotification,
    Skipped,
    SkipReason,
    plan,
    plan_webhooks,
)
from deformations_notifications.domain.preferences import Channel
from deformations_notifications.repositories.notifications import NewNotification
from deformations_notifications.service.uow import NotificationsUow

# People who have not registered (or consented) yet: their notifications wait for them.
WAITING = frozenset({SkipReason.NOT_REGISTERED, SkipReason.NO_CONSENT})
SUPERSEDED = "superseded"
# News that could otherwise mail a whole team at each change (a campaign's collective
# result moves with every answer): at most one mail per item, person and period.
THROTTLED = frozenset({"diagnosis.team_updated"})


def webhook_body(event: IncomingEvent, attributes: CloudEventAttributes) -> bytes:
    """The event as a structured-mode CloudEvent: receivers need no AMQP binding."""
    a = attributes
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
    uow: NotificationsUow, event: IncomingEvent, attributes: CloudEventAttributes
) -> int:
    """One delivery per subscription that wants the event; returns how many are new."""
    planned = plan_webhooks(event, await uow.webhooks.all_subscriptions())
    body = webhook_body(event, attributes) if planned else b""
    recorded = 0
    for delivery in planned:
        recorded += await uow.webhooks.record_delivery(
            delivery.dedup_key, delivery.subscription_id, event.routing_key, body
        )
    return recorded


async def resolve(uow: NotificationsUow, audience: Audience) -> set[str]:
    """The people an audience names, directly or through collectivités and campaigns."""
    people = set(audience.people)
    if audience.sirens:
        people |= await uow.recipients.people_of(audience.sirens)
    if audience.campaigns:
        people |= await uow.recipients.members_of(audience.campaigns)
    if audience.holders is not None:
        people |= await _role_holders(uow, audience.holders)
    return people


async def _role_holders(uow: NotificationsUow, wanted: RoleHolders) -> set[str]:
    found = holders_among(wanted, await uow.memberships.validated_of(wanted.siren))
    if found:
        return set(found)
    # Nobody known holds the role nor validates for the collectivité (its memberships not
    # received yet, or all revoked): the mail must not be lost, so everyone registered for
    # it gets it, and the portal lets act only those whose role allows.
    return await uow.recipients.people_of({wanted.siren})


def _rows(
    message: IncomingEvent,
    planned: list[PlannedNotification],
    skipped: list[Skipped],
    superseded: bool,
    template: str,
) -> list[NewNotification]:
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
                template=template,
                item_key=message.item_key,
                occurred_at=message.occurred_at,
                payload=dict(message.data),
                send_at=None,
                status="pending" if waiting else "skipped",
                skip_reason=SUPERSEDED if superseded else s.reason.value,
            )
        )
    return rows


async def _throttled(uow: NotificationsUow, p: PlannedNotification) -> PlannedNotification:
    """Not before the period since the last mail of this item to this person is over; the
    newest state of the item replaces the older ones meanwhile (see ``incoming``)."""
    last = await uow.notifications.last_sent(p.template, p.item_key, p.recipient)
    if last is None:
        return p
    earliest = last + timedelta(seconds=uow.settings.team_update_min_interval_s)
    return replace(p, send_at=max(p.send_at, earliest))


async def record_plan(
    uow: NotificationsUow,
    message: IncomingEvent,
    people: set[str],
    now: datetime,
    *,
    superseded: bool = False,
    template: str | None = None,
) -> int:
    """Record one notification per person: planned, waiting for them, or skipped with why.
    The template is the event's, unless another is given."""
    preferences = await uow.recipients.preferences_of(people)
    planned, skipped = plan(message, people, preferences, now, template=template)
    if message.name in THROTTLED:
        planned = [await _throttled(uow, p) for p in planned]
    recorded = 0
    for row in _rows(message, planned, skipped, superseded, template or message.name):
        recorded += await uow.notifications.record(row)
    return recorded
