"""iCalendar invitations (RFC 5545, iTIP methods of RFC 5546) for sessions.

``METHOD:REQUEST`` creates or updates the event in the attendee's calendar; the UID is
derived from the session id so every update lands on the same event, and SEQUENCE
(kept by ``domain.sessions.SessionCalendar``) tells clients which copy is newer.
``METHOD:CANCEL`` with the same UID removes it. Times are written in Europe/Paris with
its VTIMEZONE so clients show the local time the organisers meant, across DST changes.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar

from deformations_common.vocabulary.calendar import session_uid
from deformations_common.vocabulary.french import PARIS
from deformations_contracts.values import PLATFORM_TIMEZONE
from deformations_notifications.domain.sessions import SessionCalendar
from deformations_notifications.rendering.renderer import PLATFORM_NAME

PRODID = "-//deformations.fr//Notifications//FR"


@dataclass(frozen=True, slots=True)
class InviteDetails:
    title: str
    organizer_email: str
    attendee_emails: Sequence[str]
    uid_domain: str
    organizer_name: str = PLATFORM_NAME
    description: str = ""
    location: str = ""
    url: str = ""


def _calendar(method: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def _event(
    session: SessionCalendar, details: InviteDetails, now: datetime, status: str
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", session_uid(session.session_id, details.uid_domain))
    event.add("sequence", session.sequence)
    event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", session.start.astimezone(PARIS))
    event.add("dtend", session.end.astimezone(PARIS))
    event.add("summary", details.title)
    event.add("status", status)
    if details.description:
        event.add("description", details.description)
    if details.location:
        event.add("location", details.location)
    if details.url:
        event.add("url", details.url)
    organizer = icalendar.vCalAddress(f"mailto:{details.organizer_email}")
    organizer.params["cn"] = icalendar.vText(details.organizer_name)
    event.add("organizer", organizer)
    for email in details.attendee_emails:
        attendee = icalendar.vCalAddress(f"mailto:{email}")
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        attendee.params["rsvp"] = icalendar.vText("TRUE")
        event.add("attendee", attendee)
    return event


@functools.cache
def _paris_vtimezone() -> icalendar.Timezone:
    # Deriving VTIMEZONE from the tz database costs milliseconds; it never changes at run time.
    return icalendar.Timezone.from_tzid(PLATFORM_TIMEZONE)


def _serialise(cal: icalendar.Calendar) -> bytes:
    # The shared VTIMEZONE is only read while serialising, never changed.
    cal.subcomponents.insert(0, _paris_vtimezone())
    data: bytes = cal.to_ical()
    return data


def build_request(session: SessionCalendar, details: InviteDetails, now: datetime) -> bytes:
    """The invitation for a new or rescheduled session."""
    if session.cancelled:
        raise ValueError("a cancelled session gets a CANCEL, not a REQUEST")
    cal = _calendar("REQUEST")
    cal.add_component(_event(session, details, now, "CONFIRMED"))
    return _serialise(cal)


def build_cancel(session: SessionCalendar, details: InviteDetails, now: datetime) -> bytes:
    """The cancellation that removes the session from the attendees' calendars."""
    if not session.cancelled:
        raise ValueError("cancel the session first (it raises SEQUENCE)")
    cal = _calendar("CANCEL")
    cal.add_component(_event(session, details, now, "CANCELLED"))
    return _serialise(cal)
