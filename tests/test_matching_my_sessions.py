"""« Mon agenda »'s part in matching: ``GET /v1/sessions`` without ``related_id`` lists the
person's coming sessions (organised or attended), soonest first, none over or cancelled."""

from datetime import UTC, date, datetime, timedelta

import pytest
from platform_harness import Platform
from test_matching_api import cafe_body, with_diagnoses
from test_matching_helpers import CREST, diagnosed, drain
from test_matching_journeys import CAFE_PEOPLE, start_with_clock

from deformations_common.vocabulary.clock import ManualClock

pytestmark = pytest.mark.integration


async def test_her_coming_sessions_soonest_first_without_the_cancelled_or_past(
    platform: Platform,
) -> None:
    clock = ManualClock(datetime.now(UTC))
    matching = await start_with_clock(platform, clock)
    scheduled_tap = await platform.tap("session.scheduled.v1")
    hr = matching.auth("rh-crest", authority=CREST[1], roles=("hr",))
    await with_diagnoses(platform, {p: diagnosed(p) for p, _, _ in CAFE_PEOPLE})
    planned = await matching.client.post(
        "/v1/cafes", json=cafe_body(date.today() + timedelta(days=30), CAFE_PEOPLE), headers=hr
    )
    assert planned.status_code == 201, planned.text
    await drain(scheduled_tap, "session.scheduled.v1", 3)

    elue = matching.auth("elu-a", authority=CREST[1], roles=("elected",))
    mine = await matching.client.get("/v1/sessions", headers=elue)
    assert mine.status_code == 200, mine.text
    listed = mine.json()
    assert len(listed) == 3
    starts = [datetime.fromisoformat(s["starts_at"]) for s in listed]
    assert starts == sorted(starts)
    assert all("elu-a" in s["participants"] and not s["cancelled"] for s in listed)
    # The organiser sees them too; someone else has none.
    assert len((await matching.client.get("/v1/sessions", headers=hr)).json()) == 3
    stranger = matching.auth("elu-z", authority=CREST[1], roles=("elected",))
    assert (await matching.client.get("/v1/sessions", headers=stranger)).json() == []

    cancelled = await matching.client.post(
        f"/v1/sessions/{listed[1]['session_id']}/cancel",
        json={"reason": "Salle indisponible"},
        headers=hr,
    )
    assert cancelled.status_code == 200, cancelled.text
    clock.set(datetime.fromisoformat(listed[0]["ends_at"]) + timedelta(minutes=1))
    left = (await matching.client.get("/v1/sessions", headers=elue)).json()
    assert [s["session_id"] for s in left] == [listed[2]["session_id"]]
    assert (await matching.client.get("/v1/sessions")).status_code == 401
