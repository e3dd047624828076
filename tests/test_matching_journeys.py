"""Matching's journeys on a running service: sessions moved and cancelled (with the
iCalendar sequence notifications needs), forged changes refused."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from platform_harness import Platform, RunningService
from test_matching_api import cafe_body, with_diagnoses
from test_matching_helpers import (
    AOUSTE,
    CREST,
    EPCI,
    MIRABEL,
    SAILLANS,
    diagnosed,
    drain,
    publish,
)

from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.testing import running, wait_until

pytestmark = pytest.mark.integration


async def start_with_clock(platform: Platform, clock: ManualClock) -> RunningService:
    definition = platform.definition("matching")
    definition.clock = clock
    app = create_app(definition)
    client = await platform.stack.enter_async_context(running(app))
    service = RunningService("matching", app, client, definition.settings)
    platform.services["matching"] = service  # its queues go when the test ends
    return service


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
    await with_diagnoses(platform, {p: diagnosed(p) for p, _, _ in CAFE_PEOPLE})
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


async def test_a_speed_dating_evening_one_invitation_then_mutual_marks(
    platform: Platform,
) -> None:
    clock = ManualClock(datetime.now(UTC))
    matching = await start_with_clock(platform, clock)
    sessions_tap = await platform.tap("session.scheduled.v1")
    participants = [
        {"person_id": f"voisin-{i}", "commune_insee": c[0]}
        for i, c in enumerate([CREST, SAILLANS, AOUSTE, MIRABEL])
    ]
    await with_diagnoses(
        platform,
        {
            p["person_id"]: diagnosed(p["person_id"], c)
            for p, c in zip(participants, [CREST, SAILLANS, AOUSTE, MIRABEL], strict=True)
        },
    )
    trainer = matching.auth("formateur", roles=("trainer",))
    planned = await matching.client.post(
        "/v1/speed-datings",
        json={
            "epci_siren": EPCI,
            "starts_at": (clock.now + timedelta(days=10)).isoformat(),
            "rounds": 3,
            "seed": 3,
            "place_label": "Salle des fêtes de Saillans",
            "participants": participants,
        },
        headers=trainer,
    )
    assert planned.status_code == 201, planned.text
    plan = planned.json()
    [evening] = await drain(sessions_tap, "session.scheduled.v1", 1)
    assert evening["session_id"] == plan["session_id"]
    assert sorted(evening["participants"]) == [p["person_id"] for p in participants]

    gathering = f"/v1/speed-datings/{plan['gathering_id']}"
    table = (await matching.client.get(f"{gathering}/rotation", headers=trainer)).json()
    assert [row["person_id"] for row in table["table"]] == [p["person_id"] for p in participants]
    a, b = plan["rounds"][0]["pairs"][0]
    assert table["table"][[r["person_id"] for r in table["table"]].index(a)]["partners"][0] == b

    def person(sub: str) -> dict[str, str]:
        return matching.auth(sub, roles=("elected",))

    early = await matching.client.put(
        f"{gathering}/marks", json={"see_again": [b]}, headers=person(a)
    )
    assert early.status_code == 409 and early.json()["code"] == "evening_not_over"
    clock.set(datetime.fromisoformat(plan["rounds"][-1]["ends_at"]) + timedelta(minutes=5))
    one_sided = await matching.client.put(
        f"{gathering}/marks", json={"see_again": [b]}, headers=person(a)
    )
    assert one_sided.status_code == 200 and one_sided.json()["mutual"] == []
    seen_by_b = await matching.client.get(f"{gathering}/marks", headers=person(b))
    assert seen_by_b.json() == {"gathering_id": plan["gathering_id"], "see_again": [], "mutual": []}
    mutual = await matching.client.put(
        f"{gathering}/marks", json={"see_again": [a]}, headers=person(b)
    )
    assert mutual.json()["mutual"] == [a]
    assert (await matching.client.get(f"{gathering}/marks", headers=person(a))).json()[
        "mutual"
    ] == [b]
    outsider = await matching.client.put(
        f"{gathering}/marks", json={"see_again": [a]}, headers=person("curieux")
    )
    assert outsider.status_code == 403
    stored = await matching.runtime.pool.fetchval(
        "SELECT count(*) FROM speed_dating_marks WHERE gathering_id = $1",
        UUID(plan["gathering_id"]),
    )
    assert stored == 2


async def test_a_group_from_three_calls_loses_a_member_and_recruits_a_replacement(
    platform: Platform,
) -> None:
    matching = await platform.start("matching")
    proposals_tap = await platform.tap("match.proposed.v1")
    communes = [CREST, SAILLANS, AOUSTE, MIRABEL]
    people = [f"elu-{i}-{uuid4().hex[:6]}" for i in range(4)]
    await with_diagnoses(
        platform, {p: diagnosed(p, c) for p, c in zip(people, communes, strict=True)}
    )

    def person(sub: str) -> dict[str, str]:
        return matching.auth(sub, roles=("elected",))

    problem = "Comment passer la cantine en bio local ?"
    calls = []
    for caller in people[:3]:
        posted = await matching.client.post(
            "/v1/peer-calls",
            json={"theme": "alimentation", "problem": problem},
            headers=person(caller),
        )
        assert posted.status_code == 201, posted.text
        calls.append(posted.json()["call_id"])
    formed = await matching.client.post(
        f"/v1/peer-calls/{calls[0]}/group", headers=person(people[0])
    )
    assert formed.status_code == 201, formed.text
    group_url = f"/v1/peer-groups/{formed.json()['group_id']}"
    [proposal] = await drain(proposals_tap, "match.proposed.v1", 1)
    assert sorted(proposal["members"]) == sorted(people)
    assert proposal["accepted"] == [people[0]]  # who formed it: nothing to answer
    for member in people[1:]:
        answered = await matching.client.post(
            f"{group_url}/answer", json={"accept": True}, headers=person(member)
        )
        # Names only once everyone accepted.
        expected = sorted(people) if member == people[-1] else [member]
        assert sorted(answered.json()["members"]) == expected

    newcomer = f"elu-new-{uuid4().hex[:6]}"
    late_call = await matching.client.post(
        "/v1/peer-calls",
        json={"theme": "alimentation", "problem": problem, "time_slots": ["evening"]},
        headers=person(newcomer),
    )
    withdrawn_by_other = await matching.client.post(
        f"/v1/peer-calls/{late_call.json()['call_id']}/withdraw", headers=person(people[0])
    )
    assert withdrawn_by_other.status_code == 403
    grouped = await matching.client.post(
        f"/v1/peer-calls/{calls[1]}/withdraw", headers=person(people[1])
    )
    assert grouped.status_code == 409 and grouped.json()["code"] == "already_grouped"

    left = await matching.client.post(f"{group_url}/leave", headers=person(people[2]))
    assert left.status_code == 200, left.text
    assert left.json()["your_answer"] == "left" and left.json()["members"] == []
    [replacement] = await drain(proposals_tap, "match.proposed.v1", 1)
    assert replacement["kind"] == "peer_group"
    assert sorted(replacement["members"]) == sorted([*people[:2], people[3], newcomer])
    assert sorted(replacement["accepted"]) == sorted([*people[:2], people[3]])
    seen = await matching.client.get(group_url, headers=person(newcomer))
    assert seen.json()["status"] == "pending" and seen.json()["members"] == [newcomer]
    accepted = await matching.client.post(
        f"{group_url}/answer", json={"accept": True}, headers=person(newcomer)
    )
    assert accepted.json()["status"] == "confirmed"
    assert sorted(accepted.json()["members"]) == sorted([*people[:2], people[3], newcomer])
    again = await matching.client.post(f"{group_url}/leave", headers=person(people[2]))
    assert again.status_code == 409 and again.json()["code"] == "not_a_member"
    forged = await matching.client.post(f"{group_url}/leave", headers=person("stranger"))
    assert forged.status_code == 403

    other = await matching.client.post(
        "/v1/peer-calls",
        json={"theme": "eau", "problem": "Reprise en régie de l'eau potable ?"},
        headers=person(people[2]),
    )
    gone = await matching.client.post(
        f"/v1/peer-calls/{other.json()['call_id']}/withdraw", headers=person(people[2])
    )
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    listed = await matching.client.get("/v1/peer-calls?theme=eau", headers=person(people[2]))
    assert listed.json() == []


async def test_a_cafe_listing_someone_twice_is_a_clear_422(platform: Platform) -> None:
    matching = await platform.start("matching")
    hr = matching.auth("rh-crest", authority=CREST[1], roles=("hr",))
    doubled = [*CAFE_PEOPLE, ("elu-a", "technicien", ["energie"])]
    first_day = date.today() + timedelta(days=30)
    refused = await matching.client.post(
        "/v1/cafes", json=cafe_body(first_day, doubled), headers=hr
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "duplicate" and refused.json()["participants"] == ["elu-a"]
    assert "une fois" in refused.json()["detail"]
    stored = await matching.runtime.pool.fetchval("SELECT count(*) FROM cafe_cycles")
    assert stored == 0


async def test_a_cafe_or_an_evening_refuses_people_who_are_not_validated_members(
    platform: Platform,
) -> None:
    matching = await platform.start("matching")
    await with_diagnoses(platform, {"elu-a": diagnosed("elu-a")})
    # A diagnosis taken in Crest makes nobody a member of Crest.
    await publish(platform, diagnosed("tech-b"))
    pool = matching.runtime.pool

    async def both_diagnosed() -> bool:
        return await pool.fetchval("SELECT count(*) FROM diagnoses") == 2

    await wait_until(both_diagnosed, what="the diagnosis of tech-b")
    hr = matching.auth("rh-crest", authority=CREST[1], roles=("hr",))
    first_day = date.today() + timedelta(days=30)
    forged = await matching.client.post(
        "/v1/cafes", json=cafe_body(first_day, CAFE_PEOPLE), headers=hr
    )
    assert forged.status_code == 403, forged.text
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["code"] == "not_invitable"
    assert forged.json()["participants"] == ["tech-b"]
    evening = await matching.client.post(
        "/v1/speed-datings",
        json={
            "epci_siren": EPCI,
            "starts_at": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
            "rounds": 1,
            "remote": True,
            "participants": [
                {"person_id": "elu-a", "commune_insee": CREST[0]},
                {"person_id": "n-importe-qui", "commune_insee": SAILLANS[0]},
            ],
        },
        headers=matching.auth("formateur", roles=("trainer",)),
    )
    assert evening.status_code == 403 and evening.json()["participants"] == ["n-importe-qui"]
    assert await matching.runtime.pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_joining_a_call_opens_one_join_and_refuses_what_cannot_be_joined(
    platform: Platform,
) -> None:
    matching = await platform.start("matching")

    def person(sub: str) -> dict[str, str]:
        return matching.auth(sub, roles=("elected",))

    posted = await matching.client.post(
        "/v1/peer-calls",
        json={"theme": "alimentation", "problem": "Comment passer la cantine en bio local ?"},
        headers=person("elu-auteur"),
    )
    call_id = posted.json()["call_id"]
    path = f"/v1/peer-calls/{call_id}/join"
    first = await matching.client.post(path, headers=person("elu-a"))
    assert first.status_code == 201, first.text
    assert first.json()["joins"] == call_id and first.json()["caller"] == "elu-a"
    again = await matching.client.post(path, headers=person("elu-a"))
    assert again.status_code == 200 and again.json()["call_id"] == first.json()["call_id"]
    pool = matching.runtime.pool
    assert await pool.fetchval("SELECT count(*) FROM peer_calls") == 2
    for headers, status, code in (
        (person("elu-auteur"), 409, "own_call"),
        (matching.auth("agent", roles=("agent",)), 403, None),
    ):
        refused = await matching.client.post(path, headers=headers)
        assert refused.status_code == status, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert code is None or refused.json()["code"] == code
    unknown = await matching.client.post(f"/v1/peer-calls/{uuid4()}/join", headers=person("elu-a"))
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_call"
    assert await pool.fetchval("SELECT count(*) FROM peer_calls") == 2
