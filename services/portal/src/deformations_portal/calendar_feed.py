"""The personal iCalendar file of « Mon agenda » (RFC 5545), built with ``icalendar`` as
notifications builds its invitations.

A published file rather than an invitation: no METHOD, no organiser nor attendees. Times
are written in UTC (``…Z``) so that every client places them right without a VTIMEZONE;
each UID is the session's, written by the shared ``session_uid`` as notifications writes
it in the mailed invitations, with the same SEQUENCE: a calendar holding the file and the
invitations, or a file downloaded again, shows each session once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import icalendar

from deformations_common.vocabulary.calendar import session_uid
from deformations_portal.domain.agenda import Entry

PRODID = "-//deformations.fr//Portail - Mon agenda//FR"


def build(
    entries: Sequence[Entry], *, app_url: str, uid_domain: str, now: datetime, name: str
) -> bytes:
    """``app_url`` is the site people reach (each event's URL); ``uid_domain`` is the
    platform's mail domain, as in the invitations."""
    site = app_url.rstrip("/")
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", session_uid(entry.session_id, uid_domain))
        event.add("sequence", entry.sequence)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", entry.starts_at.astimezone(UTC))
        event.add("dtend", entry.ends_at.astimezone(UTC))
        event.add("summary", entry.title)
        event.add("location", entry.place)
        event.add("url", site + entry.href)
        event.add("description", f"Le détail : {site}{entry.href}")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
