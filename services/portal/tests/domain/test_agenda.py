"""« Mon agenda » from the services' answers: coming dates only, in time order, in French,
and the iCalendar file that carries them (UTC times, stable UIDs, links to the portal)."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from deformations_common.vocabulary.calendar import session_uid
from deformations_portal import calendar_feed
from deformations_portal.domain.agenda import from_lending, from_matching, from_training, in_order

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

MATCHING = [
    {
        "session_id": "m1",
        "sequence": 2,
        "kind": "cafe_elus_techniciens",
        "title": None,
        "starts_at": "2026-03-12T07:00:00+00:00",
        "ends_at": "2026-03-12T08:00:00+00:00",
        "remote": False,
        "place_label": "Mairie de Crest",
        "cancelled": False,
    },
    {  # over
        "session_id": "m0",
        "kind": "peer_group",
        "title": "Énergie",
        "starts_at": "2026-03-09T17:00:00+00:00",
        "ends_at": "2026-03-09T19:00:00+00:00",
        "remote": True,
        "place_label": None,
        "cancelled": False,
    },
]
LOANS = [
    {
        "agent_role": "Secrétaire de mairie",
        "theme_label": "Énergie",
        "lender": {"name": "Crest"},
        "borrower": {"name": "Aouste-sur-Sye"},
        "sessions": [
            {
                "id": "l1",
                "day": "2026-03-31",
                "part": "pm",
                "status": "confirmed",
                "remote": False,
                "place_label": "Mairie d'Aouste",
            },
            {
                "id": "l2",
                "day": "2026-03-11",
                "part": "am",
                "status": "cancelled",
                "remote": False,
                "place_label": None,
            },
        ],
    }
]
JOURNEY = [
    {
        "offer": {
            "id": "o1",
            "title": "Sobriété énergétique",
            "cancelled": False,
            "place_label": None,
            "video_url": "https://visio.example/abc",
            "sessions": [
                {
                    "id": "t1",
                    "starts_at": "2026-03-20T17:00:00+00:00",
                    "ends_at": "2026-03-20T20:00:00+00:00",
                    "cancelled": False,
                },
                {
                    "id": "t2",
                    "starts_at": "2026-03-27T17:00:00+00:00",
                    "ends_at": "2026-03-27T20:00:00+00:00",
                    "cancelled": True,
                },
            ],
        },
        "enrolment": {"status": "confirmed"},
    },
    {
        "offer": {
            "id": "o2",
            "title": "Liste d'attente",
            "cancelled": False,
            "place_label": "Crest",
            "video_url": None,
            "sessions": [
                {
                    "id": "t3",
                    "starts_at": "2026-03-21T17:00:00+00:00",
                    "ends_at": "2026-03-21T20:00:00+00:00",
                    "cancelled": False,
                }
            ],
        },
        "enrolment": {"status": "waitlisted"},
    },
]


def agenda() -> list:
    return in_order(
        from_training(JOURNEY, NOW), from_lending(LOANS, NOW), from_matching(MATCHING, NOW)
    )


def test_coming_dates_only_soonest_first_in_paris_time() -> None:
    entries = agenda()
    assert [e.key for e in entries] == ["matching-m1", "training-t1", "lending-l1"]
    cafe, training, half_day = entries
    assert cafe.title == "Café élus/techniciens"
    assert cafe.when == "jeudi 12 mars 2026, de 8 h à 9 h"
    assert cafe.place == "Mairie de Crest"
    assert training.place == "À distance" and training.href == "/formations/o1"
    # A half-day of the afternoon: 14 h Paris, 3 h 30 long; after the change to summer time.
    assert half_day.when == "mardi 31 mars 2026, de 14 h à 17 h 30"
    assert half_day.starts_at.astimezone(UTC).hour == 12
    assert half_day.href == "/seances/l1"
    assert "Crest → Aouste-sur-Sye" in half_day.title


def test_the_ics_file_holds_each_date_in_utc_with_uid_and_links() -> None:
    raw = calendar_feed.build(
        agenda(),
        app_url="https://site.example/",
        uid_domain="mail.example",
        now=NOW,
        name="Mon agenda — Déformations",
    )
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    # The sessions' own UIDs and SEQUENCEs, as their mailed invitations carry them.
    assert [str(e["uid"]) for e in events] == [
        session_uid("m1", "mail.example"),
        session_uid("t1", "mail.example"),
        session_uid("l1", "mail.example"),
    ]
    assert [int(e["sequence"]) for e in events] == [2, 0, 0]
    half_day = events[2]
    assert half_day.decoded("dtstart") == datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert half_day.decoded("dtend") == datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
    assert b"DTSTART:20260331T120000Z" in raw
    assert str(half_day["url"]) == "https://site.example/seances/l1"
    assert str(half_day["location"]) == "Mairie d'Aouste"
    assert str(events[1]["summary"]) == "Formation : Sobriété énergétique"
    assert all("dtstamp" in e for e in events)
