"""When a session's reminder goes: a lead time before it starts, outside quiet hours.

Élus forget what was planned weeks ago (booklet, chapter 1, key finding 2): each attendee
gets one reminder ahead of the session. A reminder that quiet hours would push to the
session's start, or whose time is already past when the session is planned, is not sent:
the invitation just went, and a reminder after the start is noise. For the same reason a
reminder held back until its session has started (a sender outage, a backlog, retries) is
dropped when it would go, and recorded as such.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from deformations_common.vocabulary.french import as_paris, datetime_fr, time_fr

from .preferences import RecipientPreferences
from .scheduling import end_of_quiet_hours

REMINDER = "session.reminder"
# Why a reminder was not sent: it would have gone once its session had started.
SESSION_STARTED = "session_started"
# Muted like a family (``RecipientPreferences.muted``): « ne plus recevoir de rappels ».
REMINDERS_OPT_OUT = "rappels"


def reminder_time(
    start: datetime, lead: timedelta, now: datetime, preferences: RecipientPreferences
) -> datetime | None:
    """When the reminder of a session starting at ``start`` goes, or None for none."""
    if start.tzinfo is None or now.tzinfo is None:
        raise ValueError("times must carry a time zone")
    due = start - lead
    if due < now:
        return None
    if preferences.quiet_hours is not None:
        due = end_of_quiet_hours(due, preferences.quiet_hours)
    return due if due < start else None


def session_started(start: datetime, now: datetime) -> bool:
    """Whether a reminder of a session starting at ``start`` is too late to go at ``now``."""
    if start.tzinfo is None or now.tzinfo is None:
        raise ValueError("times must carry a time zone")
    return now >= start


def wants_reminders(preferences: RecipientPreferences) -> bool:
    return preferences.wants_family(REMINDERS_OPT_OUT)


def when_fr(start: datetime, now: datetime) -> str:
    """``demain à 14 h``, ``aujourd'hui à 9 h 30``, else ``le mardi 1er décembre 2026 à 14 h``
    (Paris wall-clock days: a reminder reads as the élu's calendar does)."""
    days = (as_paris(start).date() - as_paris(now).date()).days
    if days == 0:
        return f"aujourd'hui à {time_fr(start)}"
    if days == 1:
        return f"demain à {time_fr(start)}"
    return datetime_fr(start)
