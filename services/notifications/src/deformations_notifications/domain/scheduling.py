"""When to send a notification: digests wait for their slot, quiet hours defer.

Élus have little time and odd hours (booklet, chapter 1, key finding 2): nothing is sent
inside their quiet hours and those who asked for a digest get one message per slot.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deformations_common.vocabulary.french import PARIS

from .preferences import DigestFrequency, DigestSchedule, QuietHours, RecipientPreferences


def _at_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    # Round-tripping through UTC normalises a wall time that does not exist (DST gap).
    return datetime.combine(day, at, tzinfo=zone).astimezone(ZoneInfo("UTC")).astimezone(zone)


def end_of_quiet_hours(instant: datetime, quiet: QuietHours) -> datetime:
    """The first instant at or after ``instant`` outside the quiet window."""
    if not quiet.contains(instant):
        return instant
    zone = quiet.zone
    local = instant.astimezone(zone)
    candidate = _at_local(local.date(), quiet.end, zone)
    if candidate <= instant:
        candidate = _at_local(local.date() + timedelta(days=1), quiet.end, zone)
    return candidate


def next_digest_slot(now: datetime, schedule: DigestSchedule, zone: ZoneInfo) -> datetime:
    """The first digest slot strictly after ``now`` (``now`` itself for immediate sending)."""
    if schedule.frequency is DigestFrequency.IMMEDIATE:
        return now
    local = now.astimezone(zone)
    for days_ahead in range(8):
        day = local.date() + timedelta(days=days_ahead)
        if schedule.frequency is DigestFrequency.WEEKLY and day.weekday() != schedule.weekday:
            continue
        slot = _at_local(day, schedule.send_time, zone)
        if slot > now:
            return slot
    raise AssertionError("a weekly slot always exists within eight days")  # pragma: no cover


def send_time(
    now: datetime, preferences: RecipientPreferences, *, digestible: bool = True
) -> datetime:
    """When a notification created at ``now`` goes out to this recipient.

    ``digestible=False`` is for messages that must not wait for a digest (a contact relay
    message, a cancelled session): they still respect quiet hours.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    quiet = preferences.quiet_hours
    zone = quiet.zone if quiet is not None else PARIS
    at = next_digest_slot(now, preferences.digest, zone) if digestible else now
    if quiet is not None:
        at = end_of_quiet_hours(at, quiet)
    return at


def is_batched(preferences: RecipientPreferences, *, digestible: bool = True) -> bool:
    """True when the notification joins a digest instead of being sent on its own."""
    return digestible and preferences.digest.frequency is not DigestFrequency.IMMEDIATE
