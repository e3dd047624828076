"""Matching's journeys on a running service: sessions moved and cancelled (with the
iCalendar sequence notifications needs), forged changes refused."""

from datetime import date, datetime, timedelta

import pytest
from platform_harness import Platform
from test_matching_api import cafe_body
from test_matching_helpers import CREST, drain

pytestmark = pytest.mark.integration

CAFE_PEOPLE = [
    ("elu-a", "elu", ["energie", "mobilite"]),
    ("tech-b", "technicien", ["energie", "mobilite"]),
]


async def test_a_cafe_session_is_moved_then_cancelled_by_its_organiser(
    platform: Platform,
) -> None:
    matching = await platform.start("matching")
    scheduled_tap = await platform.tap("session.scheduled.v1")
    moved_tap = await platform.tap("session.rescheduled.v1")
    cancelled_tap = await platform.tap("session.cancelled.v1")
    hr = matching.auth("rh-crest", authority=CREST[1], roles=("hr",))
    first_day = date.today() + timedelta(days=30)
    planned = await matching.client.post(
        "/v1/cafes", json=cafe_body(first_day, CAFE_PEOPLE), headers=hr
    )
    assert planned.status_code == 201, planned.text
    pair = planned.json()["pairs"][0]
    sessions = await drain(scheduled_tap, "session.scheduled.v1", 3)
    listed = await matching.client.get(
        "/v1/sessions", params={"related_id": pair["proposal_id"]}, headers=hr
    )
    assert {s["session_id"] for s in listed.json()} == {s["session_id"] for s in sessions}
    session_id = listed.json()[0]["session_id"]
    before = datetime.fromisoformat(listed.json()[0]["starts_at"])

    forged = [
        matching.auth("elu-a", authority=CREST[1], roles=("elected",)),
        matching.auth("rh-other", authority=CREST[1], roles=("hr",)),
    ]
    later = (before + timedelta(days=1)).isoformat()
    for headers in forged:
        refused = await matching.client.post(
            f"/v1/sessions/{session_id}/reschedule", json={"starts_at": later}, headers=headers
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "forbidden"
        refused = await matching.client.post(
            f"/v1/sessions/{session_id}/cancel", json={"reason": "Forgé"}, headers=headers
        )
        assert refused.status_code == 403
    pool = matching.runtime.pool
    row = await pool.fetchrow(
        "SELECT sequence, starts_at, cancelled_at FROM sessions WHERE session_id = $1",
        listed.json()[0]["session_id"],
    )
    assert (row["sequence"], row["starts_at"], row["cancelled_at"]) == (0, before, None)

    moved = await matching.client.post(
        f"/v1/sessions/{session_id}/reschedule",
        json={"starts_at": later, "reason": "Conseil municipal ce matin-là"},
        headers=hr,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["sequence"] == 1
    [event] = await drain(moved_tap, "session.rescheduled.v1", 1)
    assert event["session_id"] == session_id and event["sequence"] == 1
    assert datetime.fromisoformat(event["previous_starts_at"]) == before
    assert datetime.fromisoformat(event["starts_at"]) == before + timedelta(days=1)
    assert sorted(event["participants"]) == ["elu-a", "tech-b"]
    assert event["place_label"] == "Mairie de Crest, salle des mariages"

    cancelled = await matching.client.post(
        f"/v1/sessions/{session_id}/cancel", json={"reason": "Fermeture de la mairie"}, headers=hr
    )
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True
    [event] = await drain(cancelled_tap, "session.cancelled.v1", 1)
    assert (event["sequence"], event["reason"]) == (2, "Fermeture de la mairie")
    again = await matching.client.post(
        f"/v1/sessions/{session_id}/cancel", json={"reason": "Encore"}, headers=hr
    )
    assert again.status_code == 410 and again.json()["code"] == "session_cancelled"
