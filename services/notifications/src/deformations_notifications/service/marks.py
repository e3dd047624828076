"""The mail asking a speed-dating evening's participants whom they would see again
(``domain.marks``): one pending notification per registered participant, due when the
evening ends.

Like a reminder it carries the session event's type and payload, so a newer invitation of
the evening supersedes it and erasing the person deletes it. People not registered when
the evening is planned are not asked: by the time they register the evening may be long
over, and its page still shows the marks to whoever opens it.
"""

from __future__ import annotations

from deformations_contracts.events.sessions import SessionKind, SessionRescheduled, SessionScheduled
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.marks import MARKS_DUE, marks_due_time
from deformations_notifications.domain.planning import IncomingEvent, skip_reason
from deformations_notifications.domain.preferences import Channel
from deformations_notifications.repositories.notifications import NewNotification
from deformations_notifications.service.uow import NotificationsUow


def marks_key(message: IncomingEvent, person: str) -> DedupKey:
    # Its own key beside the invitation's and the reminder's: one per (evening event, person).
    return DedupKey(message.source, f"{message.id}/marks", person, Channel.EMAIL)


async def record_marks_prompts(
    uow: NotificationsUow,
    event: SessionScheduled | SessionRescheduled,
    message: IncomingEvent,
    people: set[str],
) -> int:
    """For a speed-dating evening, a mail to each participant when it ends; else none."""
    if event.kind is not SessionKind.SPEED_DATING_ROUND:
        return 0
    now = uow.now()
    preferences = await uow.recipients.preferences_of(people)
    recorded = 0
    for person in sorted(people):
        prefs = preferences.get(person)
        if prefs is None or skip_reason(prefs, Channel.EMAIL, message.family) is not None:
            continue
        recorded += await uow.notifications.record(
            NewNotification(
                key=marks_key(message, person),
                event_type=message.routing_key,
                template=MARKS_DUE,
                item_key=message.item_key,
                occurred_at=message.occurred_at,
                payload=dict(message.data),
                send_at=marks_due_time(event.ends_at, now, prefs),
            )
        )
    return recorded
