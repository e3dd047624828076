"""Reminders of sessions: one pending notification per attendee, due before the start.

A reminder is a notification like the others (template ``session.reminder``, the session
event's type and payload), so the sender's send-once machinery sends it, a newer
invitation of the session supersedes it (moved: the new one brings its own reminder;
cancelled: none), and erasing the person deletes it.
"""

from __future__ import annotations

from datetime import timedelta

from deformations_contracts.events.sessions import SessionRescheduled, SessionScheduled
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.planning import IncomingEvent, skip_reason
from deformations_notifications.domain.preferences import Channel
from deformations_notifications.domain.reminders import REMINDER, reminder_time, wants_reminders
from deformations_notifications.repositories.notifications import NewNotification
from deformations_notifications.service.recording import WAITING
from deformations_notifications.service.uow import NotificationsUow


def reminder_key(message: IncomingEvent, person: str) -> DedupKey:
    # Its own key beside the invitation's: one reminder per (session event, person).
    return DedupKey(message.source, f"{message.id}/reminder", person, Channel.EMAIL)


async def record_reminders(
    uow: NotificationsUow,
    event: SessionScheduled | SessionRescheduled,
    message: IncomingEvent,
    people: set[str],
) -> int:
    """A reminder for each attendee who may get one; those not registered yet get one
    waiting for them (planned when they register, if still ahead)."""
    now = uow.now()
    lead = timedelta(hours=uow.settings.reminder_lead_h)
    preferences = await uow.recipients.preferences_of(people)
    recorded = 0
    for person in sorted(people):
        prefs = preferences.get(person)
        reason = skip_reason(prefs, Channel.EMAIL, message.family)
        if prefs is not None and reason is None:
            if not wants_reminders(prefs):
                continue
            send_at = reminder_time(event.starts_at, lead, now, prefs)
            if send_at is None:
                continue
        elif reason in WAITING:
            send_at = None
        else:
            continue
        recorded += await uow.notifications.record(
            NewNotification(
                key=reminder_key(message, person),
                event_type=message.routing_key,
                template=REMINDER,
                item_key=message.item_key,
                occurred_at=message.occurred_at,
                payload=dict(message.data),
                send_at=send_at,
                skip_reason=None if send_at else (reason.value if reason else None),
            )
        )
    return recorded
