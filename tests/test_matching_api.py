"""The matching HTTP API on a running service: peer groups from an appel à pairs, cafés
élus–techniciens, speed dating, common slots, recommendations, and bad input."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from platform_harness import Platform, RunningService
from test_matching_helpers import (
    AOUSTE,
    CREST,
    EPCI,
    MIRABEL,
    PIEGROS,
    SAILLANS,
    diagnosed,
    drain,
    publish,
)

from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_contracts.events.people import (
    MembershipChanged,
    MembershipRole,
    MembershipStatus,
)
from deformations_contracts.events.training import (
    RebondAnswered,
    RebondKind,
    RebondOccasion,
    RebondProposed,
)
from deformations_contracts.types import TimeSlot
from deformations_devtools.testing import running, wait_until

pytestmark = pytest.mark.integration


async def with_diagnoses(
    platform: Platform, people: dict[str, Any], *, members: bool = True
) -> None:
    """Their diagnoses and, unless told otherwise, their validated membership of the commune
    of the diagnosis, as the portal publishes it: what lets an organiser invite them."""
    for event in people.values():
        await publish(platform, event)
        if members:
            await publish(platform, membership_of(event))
    pool = platform.services["matching"].runtime.pool

    async def stored() -> bool:
        diagnoses = await pool.fetchval("SELECT count(*) FROM diagnoses")
        known = await pool.fetchval("SELECT count(*) FROM memberships")
        return diagnoses == len(people) and known == (len(people) if members else 0)

    await wait_until(stored, what="the diagnoses and memberships")


def membership_of(diagnosis: DiagnosisCompleted) -> MembershipChanged:
    assert diagnosis.person_id and diagnosis.collectivite_siren
    return MembershipChanged(
        membership_id=uuid4(),
        person_id=diagnosis.person_id,
        siren=diagnosis.collectivite_siren,
        role=MembershipRole.ELECTED,
        status=MembershipStatus.VALIDATED,
        changed_at=diagnosis.completed_at,
    )


def elected(service: RunningService, person: str, siren: str | None = None) -> dict[str, str]:
    return service.auth(person, authority=siren, roles=("elected",))


async def test_an_appel_a_pairs_becomes_a_confirmed_group_with_its_sessions(
    platform: Platform,
) -> None:
    matching = await platform.start("matching")
    proposals_tap = await platform.tap("match.proposed.v1")
    sessions_tap = await platform.tap("session.scheduled.v1")
    communes = [CREST, SAILLANS, AOUSTE, MIRABEL, PIEGROS]
    people = {f"elu-{i}-{uuid4().hex[:6]}": diagnosed(f"x{i}", c) for i, c in enumerate(communes)}
    people = {p: e.model_copy(update={"person_id": p}) for p, e in people.items()}
    # Someone with no common slot is never recruited into this group.
    late = f"late-{uuid4().hex[:6]}"
    people[late] = diagnosed(late, CREST, slots=(TimeSlot.LUNCH,))
    await with_diagnoses(platform, people)
    caller, *others = [p for p in people if p != late]

    call = await matching.client.post(
        "/v1/peer-calls",
        json={"theme": "alimentation", "problem": "Comment passer la cantine en bio local ?"},
        headers=elected(matching, caller),
    )
    assert call.status_code == 201, call.text
    call_id = call.json()["call_id"]
    listed = await matching.client.get("/v1/peer-calls", headers=elected(matching, others[0]))
    assert listed.json()[0]["caller"] is None  # anonymous by default
    assert listed.json()[0]["theme_label"].startswith("Alimentation")

    stranger = await matching.client.post(
        f"/v1/peer-calls/{call_id}/group", headers=elected(matching, others[0])
    )
    assert stranger.status_code == 403
    formed = await matching.client.post(
        f"/v1/peer-calls/{call_id}/group", headers=elected(matching, caller)
    )
    assert formed.status_code == 201, formed.text
    group = formed.json()
    assert group["status"] == "pending" and 4 <= group["size"] <= 5
    assert group["members"] == [caller]  # names hidden until everyone accepted
    assert group["common_slots"] == ["en soirée"]
    [proposal] = await drain(proposals_tap, "match.proposed.v1", 1)
    assert proposal["kind"] == "peer_group" and proposal["peer_call_id"] == call_id
    members = proposal["members"]
    assert late not in members and caller in members
    again = await matching.client.post(
        f"/v1/peer-calls/{call_id}/group", headers=elected(matching, caller)
    )
    assert again.status_code == 409
    invited = next(m for m in members if m != caller)
    mine = await matching.client.get(
        "/v1/proposals", params={"kind": "peer_group"}, headers=elected(matching, invited)
    )
    assert [p["members"] for p in mine.json()] == [[invited]]  # the others stay hidden

    group_url = f"/v1/peer-groups/{group['group_id']}"
    too_early = await matching.client.post(
        f"{group_url}/sessions",
        json={
            "first_session_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
            "remote": True,
        },
        headers=elected(matching, caller),
    )
    assert too_early.status_code == 409 and too_early.json()["code"] == "not_confirmed"
    for member in members:
        if member != caller:
            answered = await matching.client.post(
                f"{group_url}/answer", json={"accept": True}, headers=elected(matching, member)
            )
            assert answered.status_code == 200, answered.text
    twice = await matching.client.post(
        f"{group_url}/answer", json={"accept": False}, headers=elected(matching, members[-1])
    )
    assert twice.status_code == 409
    seen = (await matching.client.get(group_url, headers=elected(matching, caller))).json()
    assert seen["status"] == "confirmed" and sorted(seen["members"]) == sorted(members)

    first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    scheduled = await matching.client.post(
        f"{group_url}/sessions",
        json={
            "first_session_at": first.isoformat(),
            "every_weeks": 2,
            "follow_ups": 4,
            "place_label": "Salle du conseil, mairie de Crest",
        },
        headers=elected(matching, members[1]),
    )
    assert scheduled.status_code == 201, scheduled.text
    sessions = await drain(sessions_tap, "session.scheduled.v1", 5)
    starts = sorted(datetime.fromisoformat(s["starts_at"]) for s in sessions)
    assert starts == [first + timedelta(weeks=2 * n) for n in range(5)]
    assert all(sorted(s["participants"]) == sorted(members) for s in sessions)
    assert {s["kind"] for s in sessions} == {"peer_group"}


async def test_declines_below_four_reopen_the_call(platform: Platform) -> None:
    matching = await platform.start("matching")
    people = {f"p{i}-{uuid4().hex[:6]}": None for i in range(4)}
    await with_diagnoses(platform, {p: diagnosed(p) for p in people})
    caller, first, *_ = people
    call = await matching.client.post(
        "/v1/peer-calls",
        json={
            "theme": "alimentation",
            "problem": "Nous manquons de pairs sur la cantine.",
            "anonymous": False,
        },
        headers=elected(matching, caller),
    )
    group = (
        await matching.client.post(
            f"/v1/peer-calls/{call.json()['call_id']}/group", headers=elected(matching, caller)
        )
    ).json()
    # An open call names its author; the others stay hidden until everyone accepted.
    assert group["members"] == [caller]
    declined = await matching.client.post(
        f"/v1/peer-groups/{group['group_id']}/answer",
        json={"accept": False},
        headers=elected(matching, first),
    )
    assert declined.json()["status"] == "too_few"
    calls = await matching.client.get("/v1/peer-calls", headers=elected(matching, caller))
    assert [c["status"] for c in calls.json()] == ["open"]
    assert calls.json()[0]["caller"] == caller
    # Everyone is free again: a new group can be formed around the call.
    again = await matching.client.post(
        f"/v1/peer-calls/{call.json()['call_id']}/group", headers=elected(matching, caller)
    )
    assert again.status_code == 201, again.text
    assert again.json()["group_id"] != group["group_id"]


async def test_too_few_peers_is_a_clear_conflict(platform: Platform) -> None:
    matching = await platform.start("matching")
    call = await matching.client.post(
        "/v1/peer-calls",
        json={
            "theme": "eau",
            "problem": "Reprise en régie de l'eau potable : qui l'a fait ?",
            "time_slots": ["evening"],
        },
        headers=elected(matching, "alone"),
    )
    answer = await matching.client.post(
        f"/v1/peer-calls/{call.json()['call_id']}/group", headers=elected(matching, "alone")
    )
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "too_few_peers"
    assert "l'appel reste ouvert" in answer.json()["detail"]


def cafe_body(first_day: date, participants: list[tuple[str, str, list[str]]]) -> dict[str, Any]:
    return {
        "collectivite_siren": CREST[1],
        "first_day": first_day.isoformat(),
        "place_label": "Mairie de Crest, salle des mariages",
        "participants": [{"person_id": p, "role": r, "subjects": s} for p, r, s in participants],
    }


async def test_cafe_pairs_meet_monthly_and_rotate_the_next_cycle(platform: Platform) -> None:
    matching = await platform.start("matching")
    sessions_tap = await platform.tap("session.scheduled.v1")
    hr = matching.auth("rh-crest", authority=CREST[1], roles=("hr",))
    await with_diagnoses(
        platform, {p: diagnosed(p) for p in ("elu-a", "elu-b", "tech-a", "tech-b", "tech-c")}
    )
    people = [
        ("elu-a", "elu", ["energie", "mobilite"]),
        ("elu-b", "elu", ["energie"]),
        ("tech-a", "technicien", ["energie"]),
        ("tech-b", "technicien", ["energie", "mobilite"]),
    ]
    first_day = date.today() + timedelta(days=30)
    planned = await matching.client.post("/v1/cafes", json=cafe_body(first_day, people), headers=hr)
    assert planned.status_code == 201, planned.text
    cycle = planned.json()
    pairs = {(p["elu"], p["technicien"]) for p in cycle["pairs"]}
    assert pairs == {("elu-a", "tech-b"), ("elu-b", "tech-a")}  # most shared subjects
    for pair in cycle["pairs"]:
        days = [datetime.fromisoformat(s) for s in pair["sessions"]]
        assert len(days) == 3 and all(d.hour == 8 for d in days)
        assert "Créneau fixe mensuel 8h–9h pendant 3 mois" in pair["reasons"]
    sessions = await drain(sessions_tap, "session.scheduled.v1", 6)
    assert {s["kind"] for s in sessions} == {"cafe_elus_techniciens"}

    later = first_day + timedelta(days=100)
    rotated = await matching.client.post("/v1/cafes", json=cafe_body(later, people), headers=hr)
    assert {(p["elu"], p["technicien"]) for p in rotated.json()["pairs"]} == {
        ("elu-a", "tech-a"),
        ("elu-b", "tech-b"),
    }
    elsewhere = await matching.client.post(
        "/v1/cafes",
        json=cafe_body(later, people),
        headers=matching.auth("rh", authority=SAILLANS[1], roles=("hr",)),
    )
    assert elsewhere.status_code == 403
    shown = await matching.client.get(f"/v1/cafes/{cycle['cycle_id']}", headers=hr)
    assert shown.json() == cycle
    lonely = [("elu-a", "elu", ["energie"]), ("tech-c", "technicien", ["eau"])]
    none = await matching.client.post("/v1/cafes", json=cafe_body(later, lonely), headers=hr)
    assert none.status_code == 422 and none.json()["code"] == "no_pair"
    assert none.json()["unpaired"]["elu-a"].startswith("Aucun sujet partagé")
    backwards = cafe_body(later, people) | {"start": "09:00", "end": "08:00"}
    refused = await matching.client.post("/v1/cafes", json=backwards, headers=hr)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    said = "Valeur invalide : l'heure de fin du café doit suivre son heure de début."
    assert error["msg"] == said


async def test_speed_dating_plan_is_sound_reproducible_and_published(platform: Platform) -> None:
    matching = await platform.start("matching")
    proposals_tap = await platform.tap("match.proposed.v1")
    sessions_tap = await platform.tap("session.scheduled.v1")
    participants = [
        {"person_id": f"elu-{i}", "commune_insee": c[0]}
        for i, c in enumerate([CREST, CREST, SAILLANS, SAILLANS, AOUSTE, MIRABEL, PIEGROS])
    ]
    communes = {"26108": CREST, "26289": SAILLANS, "26011": AOUSTE, "26183": MIRABEL}
    communes["26234"] = PIEGROS
    await with_diagnoses(
        platform,
        {
            p["person_id"]: diagnosed(p["person_id"], communes[p["commune_insee"]])
            for p in participants
        },
    )
    body = {
        "epci_siren": EPCI,
        "starts_at": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
        "rounds": 4,
        "seed": 42,
        "place_label": "Salle des fêtes de Saillans",
        "participants": participants,
    }
    trainer = matching.auth("formateur", roles=("trainer",))
    planned = await matching.client.post("/v1/speed-datings", json=body, headers=trainer)
    assert planned.status_code == 201, planned.text
    plan = planned.json()
    assert plan["seed"] == 42 and len(plan["rounds"]) == 4
    commune = {p["person_id"]: p["commune_insee"] for p in participants}
    met: set[frozenset[str]] = set()
    for round_ in plan["rounds"]:
        for a, b in round_["pairs"]:
            assert commune[a] != commune[b]
            assert frozenset((a, b)) not in met
            met.add(frozenset((a, b)))
    assert any("Graine 42" in line for line in plan["log"])
    [rotation] = await drain(proposals_tap, "match.proposed.v1", 1)
    assert rotation["kind"] == "speed_dating_rotation" and rotation["seed"] == 42
    assert rotation["collectivite_siren"] == EPCI
    # One invitation per participant for the whole evening, not one per round.
    [evening] = await drain(sessions_tap, "session.scheduled.v1", 1)
    assert evening["kind"] == "speed_dating_round" and evening["session_id"] == plan["session_id"]
    assert sorted(evening["participants"]) == sorted(p["person_id"] for p in participants)
    assert datetime.fromisoformat(evening["starts_at"]) == datetime.fromisoformat(
        plan["rounds"][0]["starts_at"]
    )
    assert datetime.fromisoformat(evening["ends_at"]) == datetime.fromisoformat(
        plan["rounds"][-1]["ends_at"]
    )
    assert await sessions_tap.get(fail=False) is None

    audit = await matching.client.get(
        f"/v1/speed-datings/{plan['gathering_id']}/audit", headers=trainer
    )
    assert audit.json() == {
        "gathering_id": plan["gathering_id"],
        "sound": True,
        "violations": [],
        "replayed_identically": True,
    }
    stranger = await matching.client.get(
        f"/v1/speed-datings/{plan['gathering_id']}",
        headers=matching.auth("x", authority="243200391", roles=("elected",)),
    )
    assert stranger.status_code == 403
    participant = await matching.client.get(
        f"/v1/speed-datings/{plan['gathering_id']}", headers=matching.auth("elu-3")
    )
    assert participant.json() == plan
    # A second gathering of the same EPCI never repeats a meeting of the first.
    second = await matching.client.post(
        "/v1/speed-datings", json={**body, "seed": 7}, headers=trainer
    )
    assert second.status_code == 201
    for round_ in second.json()["rounds"]:
        assert not {frozenset(p) for p in round_["pairs"]} & met


async def test_speed_dating_refuses_elus_from_outside_the_epci(platform: Platform) -> None:
    matching = await platform.start("matching")
    body = {
        "epci_siren": EPCI,
        "starts_at": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
        "rounds": 2,
        "remote": True,
        "participants": [
            {"person_id": "a", "commune_insee": CREST[0]},
            {"person_id": "b", "commune_insee": "32208"},
        ],
    }
    refused = await matching.client.post(
        "/v1/speed-datings", json=body, headers=matching.auth("f", roles=("trainer",))
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "outside_epci" and refused.json()["participants"] == ["b"]
    wrong_epci = await matching.client.post(
        "/v1/speed-datings",
        json={**body, "epci_siren": "243200391"},
        headers=matching.auth("e", authority=EPCI, roles=("elected",)),
    )
    assert wrong_epci.status_code == 403
    assert await matching.runtime.pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_common_slots_or_who_blocks(platform: Platform) -> None:
    matching = await platform.start("matching")
    people = {
        "a": diagnosed("a", slots=(TimeSlot.EVENING, TimeSlot.LUNCH)),
        "b": diagnosed("b", slots=(TimeSlot.EVENING,)),
        "c": diagnosed("c", slots=(TimeSlot.LUNCH,)),
    }
    await with_diagnoses(platform, people)
    auth = elected(matching, "a")
    # A stranger's availability is not read: a, b and c share an evening first.
    evening = {
        "epci_siren": EPCI,
        "starts_at": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
        "rounds": 2,
        "remote": True,
        "participants": [
            {"person_id": p, "commune_insee": c[0]}
            for p, c in zip(people, (CREST, SAILLANS, AOUSTE), strict=True)
        ],
    }
    strangers = await matching.client.post(
        "/v1/common-slots",
        json={"members": [{"person_id": p} for p in people]},
        headers=auth,
    )
    assert strangers.json()["found"] is True and strangers.json()["unknown"] == ["b", "c"]
    planned = await matching.client.post(
        "/v1/speed-datings", json=evening, headers=matching.auth("formateur", roles=("trainer",))
    )
    assert planned.status_code == 201, planned.text
    found = await matching.client.post(
        "/v1/common-slots",
        json={"members": [{"person_id": "a"}, {"person_id": "b"}, {"person_id": "new"}]},
        headers=auth,
    )
    assert found.json()["found"] is True
    assert found.json()["slots"] == [{"code": "evening", "label": "en soirée"}]
    assert found.json()["unknown"] == ["new"]
    blocked = await matching.client.post(
        "/v1/common-slots",
        json={"members": [{"person_id": p} for p in people]},
        headers=auth,
    )
    outsider = await matching.client.post(
        "/v1/common-slots",
        json={"members": [{"person_id": p} for p in people]},
        headers=elected(matching, "curious"),
    )
    assert outsider.status_code == 403
    report = blocked.json()
    assert report["found"] is False
    assert report["blockers"] == {"lunch": ["b"], "evening": ["c"]}
    assert report["blocking_members"] == ["b", "c"]
    assert report["explanation"].startswith("Aucun créneau commun.")


async def test_recommendations_from_a_diagnosis_and_the_rebond(platform: Platform) -> None:
    matching = await platform.start("matching")
    auth = elected(matching, "isolated")
    missing = await matching.client.get("/v1/recommendations/me", headers=auth)
    assert missing.status_code == 404 and missing.json()["code"] == "no_diagnosis"
    await with_diagnoses(platform, {"isolated": diagnosed("isolated", reseau=10.0, half_days=0)})
    recommended = await matching.client.get("/v1/recommendations/me", headers=auth)
    codes = [r["code"] for r in recommended.json()]
    assert codes[0] == "t06_cafe_elus_techniciens"  # the diagnosis's own next step first
    assert {"t03_cafe_formation", "t07_groupe_entraide"} <= set(codes)
    rebond = await matching.client.get(
        "/v1/recommendations/rebond", params={"after": "t07_groupe_entraide"}, headers=auth
    )
    assert rebond.json()[0]["code"] == "t07_formateurs_d_un_jour"
    unknown = await matching.client.get(
        "/v1/recommendations/rebond", params={"after": "t99_rien"}, headers=auth
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_recipe"


def trainer_rebond(person: str, kind: str, at: datetime, **extra: Any) -> RebondProposed:
    return RebondProposed(
        rebond_id=uuid4(),
        person_id=person,
        after_enrolment_id=uuid4(),
        after_offer_id=uuid4(),
        kind=RebondKind(kind),
        occasion=RebondOccasion.DEBRIEF,
        theme="alimentation",
        proposed_at=at,
        **extra,
    )


def answer_to(proposed: RebondProposed, *, taken: bool, at: datetime) -> RebondAnswered:
    return RebondAnswered(
        rebond_id=proposed.rebond_id,
        person_id=proposed.person_id,
        after_offer_id=proposed.after_offer_id,
        kind=proposed.kind,
        offer_id=proposed.offer_id,
        theme=proposed.theme,
        taken=taken,
        answered_at=at,
    )


async def test_the_rebond_is_what_the_trainer_proposed_and_else_the_table(
    platform: Platform,
) -> None:
    matching = await platform.start("matching")
    pool = matching.runtime.pool
    elue = f"elue-{uuid4().hex[:6]}"
    auth = elected(matching, elue)

    async def rebond_after(code: str) -> list[dict[str, Any]]:
        response = await matching.client.get(
            "/v1/recommendations/rebond", params={"after": code}, headers=auth
        )
        assert response.status_code == 200, response.text
        answer: list[dict[str, Any]] = response.json()
        return answer

    table = await rebond_after("t07_groupe_entraide")
    assert table[0]["code"] == "t07_formateurs_d_un_jour"
    assert {r["rebond_id"] for r in table} == {None}

    at = datetime(2026, 4, 22, 15, tzinfo=UTC)
    offer = uuid4()
    visit = trainer_rebond(elue, "visit", at)
    module = trainer_rebond(elue, "module", at + timedelta(days=30), offer_id=offer)
    # Her answer may come before the proposal: the proposal then finds it answered.
    await publish(platform, answer_to(visit, taken=False, at=at + timedelta(days=2)))
    for event in (visit, module, module):  # the module's proposal twice (redelivery)
        await publish(platform, event)

    async def recorded() -> bool:
        return (
            await pool.fetchval(
                "SELECT count(*) FROM trainer_rebonds"
                " WHERE person_id = $1 AND proposed_at IS NOT NULL",
                elue,
            )
            == 2
        )

    await wait_until(recorded, what="the trainer's rebonds")
    # She left the visit: only the module her trainer proposed, with the offer.
    (proposed,) = await rebond_after("t07_groupe_entraide")
    assert proposed["code"] == "t03_cycle_a_la_carte"
    assert (proposed["rebond_id"], proposed["offer_id"]) == (str(module.rebond_id), str(offer))
    assert proposed["reason"].startswith("Proposé par votre formateur")
    unknown = await matching.client.get(
        "/v1/recommendations/rebond", params={"after": "t99_rien"}, headers=auth
    )
    assert unknown.status_code == 422

    # A year later the reminder proposes the visit again: it stands beside the module.
    await publish(
        platform,
        visit.model_copy(
            update={
                "occasion": RebondOccasion.ONE_YEAR_LATER,
                "proposed_at": at + timedelta(days=365),
            }
        ),
    )

    async def reminded() -> bool:
        return (
            await pool.fetchval(
                "SELECT occasion FROM trainer_rebonds WHERE rebond_id = $1", visit.rebond_id
            )
            == "one_year_later"
        )

    await wait_until(reminded, what="the one-year reminder")
    both = await rebond_after("t07_groupe_entraide")
    assert [r["rebond_id"] for r in both] == [str(visit.rebond_id), str(module.rebond_id)]
    assert both[0]["reason"].startswith("Un an après")
    # Someone else still gets the table.
    other = await matching.client.get(
        "/v1/recommendations/rebond",
        params={"after": "t07_groupe_entraide"},
        headers=elected(matching, "quelquun"),
    )
    assert other.json()[0]["code"] == "t07_formateurs_d_un_jour"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/peer-calls", {"theme": "Pas un code", "problem": "Un problème bien réel."}),
        ("/v1/peer-calls", {"theme": "eau", "problem": "court"}),
        ("/v1/speed-datings", {"epci_siren": EPCI, "rounds": 0, "participants": []}),
        ("/v1/cafes", {"collectivite_siren": "12", "participants": []}),
        ("/v1/common-slots", {"members": [{"person_id": "a"}]}),
    ],
)
async def test_bad_input_is_a_clear_problem_and_changes_nothing(
    platform: Platform, path: str, body: dict[str, Any]
) -> None:
    matching = await platform.start("matching")
    headers = matching.auth("ops", authority=CREST[1], roles=("elected", "operator", "hr"))
    response = await matching.client.post(path, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await matching.runtime.pool.fetchval("SELECT count(*) FROM outbox") == 0
    unauthenticated = await matching.client.post(path, json=body)
    assert unauthenticated.status_code in (401, 422)


async def test_the_service_reads_the_time_from_its_clock(platform: Platform) -> None:
    clock = ManualClock(datetime(2031, 5, 4, 6, 0, tzinfo=UTC))
    definition = platform.definition("matching")
    definition.clock = clock
    app = create_app(definition)
    client = await platform.stack.enter_async_context(running(app))
    service = RunningService("matching", app, client, definition.settings)
    platform.services["matching"] = service  # its queues go when the test ends
    proposals_tap = await platform.tap("match.proposed.v1")
    hr = service.auth("rh-crest", authority=CREST[1], roles=("hr",))
    people = [("elu-a", "elu", ["energie"]), ("tech-a", "technicien", ["energie"])]
    await with_diagnoses(platform, {p: diagnosed(p) for p, _, _ in people})
    # Past for the service's clock, though still ahead of the machine's.
    past = await client.post("/v1/cafes", json=cafe_body(date(2031, 5, 3), people), headers=hr)
    assert past.status_code == 422 and past.json()["code"] == "past_session"
    clock.advance(timedelta(days=-2))
    planned = await client.post("/v1/cafes", json=cafe_body(date(2031, 5, 3), people), headers=hr)
    assert planned.status_code == 201, planned.text
    [proposal] = await drain(proposals_tap, "match.proposed.v1", 1)
    assert datetime.fromisoformat(proposal["proposed_at"]) == clock.now
