"""From one incoming event to the notifications it causes, each with its send time.

This is the heart of the event handler: the service layer loads the preferences of the
concerned people, calls ``plan`` and stores the planned notifications under their dedup
key (a unique constraint), in the same transaction as the inbox record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from deformations_contracts.events.lending import LoanActionRequested
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.registry import routing_keys

from .dedup import DedupKey
from .preferences import Channel, RecipientPreferences
from .scheduling import is_batched, send_time
from .webhooks import WebhookSubscription

_VERSION = re.compile(r"\.v[0-9]+$")


def template_of(routing_key: str) -> str:
    """The template of an event type: its routing key without the major version."""
    return _VERSION.sub("", routing_key)


RELAY_MESSAGE = "relay.message"
# Calendar invitations must reach the calendar: they are never folded into a digest.
CALENDAR_EVENTS = frozenset(
    template_of(k) for k in routing_keys(SessionScheduled, SessionRescheduled, SessionCancelled)
)
# Changes to what is already in someone's calendar cannot wait for a weekly digest either,
# nor a request to act on a loan: its signed link lapses in a week, and it is personal.
NOT_DIGESTIBLE = frozenset(
    {
        *(
            template_of(k)
            for k in routing_keys(SessionRescheduled, SessionCancelled, LoanActionRequested)
        ),
        RELAY_MESSAGE,
    }
)
_ITEM_FIELDS = (
    "session_id",
    "loan_id",
    "proposal_id",
    "campaign_id",
    "thread_id",
    "response_id",
    # Training: a rebond or a questionnaire is its own item, enrolment news group per
    # enrolment, programme news per programme.
    "rebond_id",
    "evaluation_id",
    "enrolment_id",
    "programme_id",
    # Moderation: each hidden text is its own item.
    "content_id",
)


class SkipReason(StrEnum):
    NOT_REGISTERED = "not_registered"
    NO_CONSENT = "no_consent"
    UNSUBSCRIBED = "unsubscribed"
    CHANNEL_OFF = "channel_off"
    MUTED = "muted"


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    source: str  # ce-source
    id: str  # ce-id
    routing_key: str  # e.g. loan.agreed.v1
    occurred_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The template name: the routing key without its major version."""
        return template_of(self.routing_key)

    @property
    def family(self) -> str:
        """``loan`` for ``loan.agreed.v1``: the unit of a scoped unsubscribe."""
        return self.routing_key.split(".", 1)[0]

    @property
    def item_key(self) -> str:
        """What the event is about, to group a digest per item."""
        for name in _ITEM_FIELDS:
            value = self.data.get(name)
            if isinstance(value, str) and value:
                return f"{name.removesuffix('_id')}:{value}"
        return f"event:{self.source}/{self.id}"


@dataclass(frozen=True, slots=True)
class PlannedNotification:
    dedup_key: DedupKey
    recipient: str
    template: str
    item_key: str
    send_at: datetime
    batched: bool  # True: goes into the recipient's next digest instead of on its own


@dataclass(frozen=True, slots=True)
class Skipped:
    recipient: str
    reason: SkipReason


def skip_reason(
    prefs: RecipientPreferences | None, channel: Channel, family: str
) -> SkipReason | None:
    """Why ``prefs`` rule out a message of ``family`` on ``channel``; None when it may go."""
    if prefs is None:
        return SkipReason.NOT_REGISTERED
    if prefs.consent is None:
        return SkipReason.NO_CONSENT
    if prefs.unsubscribed_at is not None:
        return SkipReason.UNSUBSCRIBED
    if channel not in prefs.channels:
        return SkipReason.CHANNEL_OFF
    if not prefs.wants_family(family):
        return SkipReason.MUTED
    return None


def plan(
    event: IncomingEvent,
    recipients: Iterable[str],
    preferences: Mapping[str, RecipientPreferences],
    now: datetime,
    channel: Channel = Channel.EMAIL,
    template: str | None = None,
) -> tuple[list[PlannedNotification], list[Skipped]]:
    """Plan one notification per concerned person who accepts ``channel``; say why for others.

    Recipients are sorted so the plan is the same for the same input (replays, tests). The
    template is the event's unless another is given (what some of its people are told).
    """
    digestible = event.name not in NOT_DIGESTIBLE and event.name not in CALENDAR_EVENTS
    planned: list[PlannedNotification] = []
    skipped: list[Skipped] = []
    for person in sorted(set(recipients)):
        prefs = preferences.get(person)
        reason = skip_reason(prefs, channel, event.family)
        if reason is not None or prefs is None:
            skipped.append(Skipped(person, reason or SkipReason.NOT_REGISTERED))
            continue
        planned.append(
            PlannedNotification(
                dedup_key=DedupKey(event.source, event.id, person, channel),
                recipient=person,
                template=template or event.name,
                item_key=event.item_key,
                send_at=send_time(now, prefs, digestible=digestible),
                batched=is_batched(prefs, digestible=digestible),
            )
        )
    return planned, skipped


@dataclass(frozen=True, slots=True)
class PlannedWebhook:
    dedup_key: DedupKey  # its value is the ``webhook-id``, so receivers can drop duplicates
    subscription_id: str


def plan_webhooks(
    event: IncomingEvent, subscriptions: Iterable[WebhookSubscription]
) -> list[PlannedWebhook]:
    """One delivery per subscription whose filter takes this event type.

    A paused subscription gets its deliveries too: they are held, not sent, until it is
    resumed, so a receiver that was down for a while loses nothing once fixed.
    """
    return [
        PlannedWebhook(DedupKey(event.source, event.id, s.id, Channel.WEBHOOK), s.id)
        for s in sorted(subscriptions, key=lambda s: s.id)
        if s.matches(event.routing_key)
    ]
