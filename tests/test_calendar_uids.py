"""One session, one calendar event: the invitation notifications mails and « Mon agenda »'s
``.ics`` file from the portal carry the same UID and SEQUENCE, so a calendar that imports
both (or gets the invitation after the file) shows the session once, at its latest time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from deformations_notifications.domain.sessions import SessionCalendar
from deformations_notifications.rendering.invites import InviteDetails, build_request
from deformations_notifications.settings import NotificationsSettings
from deformations_portal import calendar_feed
from deformations_portal.domain.agenda import from_matching, from_training
from deformations_portal.settings import PortalSettings

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
STARTS = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
DOMAIN = "deformations.example.org"


def _event(raw: bytes) -> icalendar.Event:
    (event,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    return event


def _invitation(session_id: str, sequence: int) -> icalendar.Event:
    session = SessionCalendar(session_id, STARTS, STARTS + timedelta(hours=1), sequence)
    details = InviteDetails(
        title="Café élus/techniciens",
        organizer_email="notifications@deformations.example.org",
        attendee_emails=["elue@crest.example"],
        uid_domain=DOMAIN,
    )
    return _event(build_request(session, details, NOW))


def _agenda_file(entries: list[calendar_feed.Entry]) -> icalendar.Event:
    return _event(
        calendar_feed.build(
            entries, app_url="https://site.example", uid_domain=DOMAIN, now=NOW, name="Agenda"
        )
    )


def test_a_moved_cafe_is_one_event_in_the_invitation_and_the_agenda_file() -> None:
    session_id = "5f0c8a4e-0000-4000-8000-00000000000a"
    cafe = {
        "session_id": session_id,
        "kind": "cafe_elus_techniciens",
        "starts_at": STARTS.isoformat(),
        "ends_at": (STARTS + timedelta(hours=1)).isoformat(),
        "remote": False,
        "place_label": "Mairie de Crest",
        "sequence": 1,
        "cancelled": False,
    }
    mailed, filed = _invitation(session_id, 1), _agenda_file(from_matching([cafe], NOW))
    assert str(filed["uid"]) == str(mailed["uid"])
    assert int(filed["sequence"]) == int(mailed["sequence"]) == 1
    # Another session is another event.
    assert str(_invitation("5f0c8a4e-0000-4000-8000-00000000000b", 1)["uid"]) != str(filed["uid"])


def test_a_training_session_is_one_event_too() -> None:
    journey = [
        {
            "offer": {"id": "o1", "title": "Sobriété", "cancelled": False, "sessions": []},
            "enrolment": {"status": "confirmed"},
        }
    ]
    journey[0]["offer"]["sessions"] = [
        {
            "id": "t1",
            "starts_at": STARTS.isoformat(),
            "ends_at": (STARTS + timedelta(hours=1)).isoformat(),
            "cancelled": False,
            "sequence": 3,
        }
    ]
    filed = _agenda_file(from_training(journey, NOW))
    mailed = _invitation("t1", 3)
    assert (str(filed["uid"]), int(filed["sequence"])) == (str(mailed["uid"]), 3)


def test_both_services_default_to_one_mail_domain() -> None:
    # Neither is set by ``make run`` nor compose: their defaults must name the same domain.
    portal = PortalSettings.model_fields["mail_domain"].default
    assert portal == NotificationsSettings.model_fields["mail_domain"].default
