"""The whole « à la carte » path through the HTTP API, on the real servers: publish,
enrol, attend, debrief and rebond, take it, questionnaires on a moved clock, budget."""

from datetime import timedelta
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from training_factories import BODY, CC_CRESTOIS, CREST, NOW
from training_service import OPERATOR, TRAINER, Service, body_of, drain

from deformations_contracts.registry import EVENTS
from deformations_contracts.schemas import schema_of
from deformations_devtools.testing import wait_until
from deformations_training.service import followups

ELU = "elu-crest-1"


def offer_body(**extra: Any) -> dict[str, Any]:
    start = NOW + timedelta(days=21)
    body = {
        "title": "Une cantine bio et locale en régie",
        "theme": "alimentation",
        "format": "half_day",
        "duration_minutes": 210,
        "capacity": 10,
        "price_cents": 30_000,
        "sessions": [
            {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}
        ],
        "place_insee": "26108",
        "place_label": "Salle du conseil, mairie de Crest",
    }
    body.update(extra)
    return body


async def setup_body(service: Service) -> None:
    response = await service.client.post(
        "/v1/bodies",
        json={
            "siren": BODY,
            "name": "Formations Transitions Drôme",
            "agrement_reference": "AGR-2024-0042",
        },
        headers=service.auth(OPERATOR, None, "operator"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["approved_today"] is True


async def test_an_elu_goes_through_the_a_la_carte_cycle(service: Service) -> None:
    events = await service.tap("#")
    trainer = service.auth(TRAINER, BODY, "trainer")
    elu = service.auth(ELU, CREST, "elected")
    await setup_body(service)

    refused = await service.client.post(f"/v1/bodies/{BODY}/offers", json=offer_body(), headers=elu)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    bad = await service.client.post(
        f"/v1/bodies/{BODY}/offers", json=offer_body(theme="astrologie"), headers=trainer
    )
    assert bad.status_code == 422 and "Thème inconnu" in bad.json()["detail"]

    module = (
        await service.client.post(f"/v1/bodies/{BODY}/offers", json=offer_body(), headers=trainer)
    ).json()
    cafe = (
        await service.client.post(
            f"/v1/bodies/{BODY}/offers",
            json=offer_body(
                title="Café formation du mois",
                format="cafe",
                price_cents=0,
                place_insee=None,
                place_label=None,
                video_url="https://visio.example.org/cafe",
                sessions=[
                    {
                        "starts_at": (NOW + timedelta(days=40, hours=8)).isoformat(),
                        "ends_at": (NOW + timedelta(days=40, hours=9)).isoformat(),
                    }
                ],
            ),
            headers=trainer,
        )
    ).json()

    found = await service.client.get(
        "/v1/offers/search",
        params={"theme": "alimentation", "near": "26289", "within": "epci", "slot": "morning"},
        headers=elu,
    )
    assert [f["offer"]["id"] for f in found.json()] == [module["id"]]
    assert found.json()[0]["proximity"] == "same_epci"
    # « Fits my time »: nothing longer than the time she has each month (both last 3 h 30).
    for minutes, expected in ((209, []), (210, [module["id"], cafe["id"]])):
        fits = await service.client.get(
            "/v1/offers/search", params={"minutes": minutes}, headers=elu
        )
        assert [f["offer"]["id"] for f in fits.json()] == expected
    # The catalogue is public (the anonymous quiz result links to it), the visio link not.
    public = await service.client.get("/v1/offers/search", params={"format": "cafe", "limit": 1})
    assert public.status_code == 200, public.text
    assert [(f["offer"]["id"], f["offer"]["video_url"]) for f in public.json()] == [
        (cafe["id"], None)
    ]
    signed = await service.client.get("/v1/offers/search", params={"format": "cafe"}, headers=elu)
    assert signed.json()[0]["offer"]["video_url"] == "https://visio.example.org/cafe"

    enrolled = await service.client.post(
        f"/v1/offers/{module['id']}/enrolments", json={}, headers=elu
    )
    assert enrolled.status_code == 201, enrolled.text
    enrolment = enrolled.json()
    assert (enrolment["status"], enrolment["price_cents"]) == ("confirmed", 30_000)
    again = await service.client.post(f"/v1/offers/{module['id']}/enrolments", json={}, headers=elu)
    assert again.status_code == 409 and again.json()["code"] == "already_enrolled"

    session_id = module["sessions"][0]["id"]
    early = await service.client.post(
        f"/v1/enrolments/{enrolment['id']}/attendance",
        json={"session_id": session_id, "present": True},
        headers=trainer,
    )
    assert early.status_code == 422
    service.clock.set(NOW + timedelta(days=21, hours=4))
    present = await service.client.post(
        f"/v1/enrolments/{enrolment['id']}/attendance",
        json={"session_id": session_id, "present": True},
        headers=trainer,
    )
    assert present.status_code == 200 and present.json()["attended"] == [session_id]

    rebond = await service.client.post(
        f"/v1/enrolments/{enrolment['id']}/rebond",
        json={
            "kind": "module",
            "offer_id": cafe["id"],
            "debrief": "Projet de régie bien avancé ; reste la question des marchés.",
            "proposal": "Venir au café formation pour échanger avec Saillans.",
        },
        headers=trainer,
    )
    assert rebond.status_code == 201, rebond.text
    taken = await service.client.post(
        f"/v1/rebonds/{rebond.json()['id']}/answer", json={"take": True}, headers=elu
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "taken"
    assert taken.json()["enrolment"]["offer_id"] == cafe["id"]

    journey = (await service.client.get(f"/v1/people/{ELU}/journey", headers=elu)).json()
    assert [s["offer"]["id"] for s in journey] == [module["id"], cafe["id"]]
    assert journey[0]["rebond"]["kind"] == "module"
    other = await service.client.get(
        f"/v1/people/{ELU}/journey", headers=service.auth("quelquun", CREST, "elected")
    )
    assert other.status_code == 403

    # The questionnaires: satisfaction now, impact in 6 months (the job, on a moved clock).
    async with service.begin() as uow:
        assert await followups.announce_due_evaluations(uow) == 1
    service.clock.set(NOW + timedelta(days=21 + 190))
    async with service.begin() as uow:
        assert await followups.announce_due_evaluations(uow) == 1
    open_ = (await service.client.get(f"/v1/people/{ELU}/evaluations", headers=elu)).json()
    assert sorted(e["kind"] for e in open_) == ["impact_6_months", "satisfaction"]
    impact = next(e for e in open_ if e["kind"] == "impact_6_months")
    wrong = await service.client.post(
        f"/v1/evaluations/{impact['id']}/answers", json={"answers": {"overall": 4}}, headers=elu
    )
    assert wrong.status_code == 422
    answered = await service.client.post(
        f"/v1/evaluations/{impact['id']}/answers",
        json={
            "answers": {
                "put_into_practice": 4,
                "confidence": 5,
                "shared_with_team": 3,
                "actions_started": 2,
            }
        },
        headers=elu,
    )
    assert answered.status_code == 200 and answered.json()["answered"]
    results = (
        await service.client.get(f"/v1/offers/{module['id']}/results", headers=trainer)
    ).json()
    assert {r["kind"]: (r["answers"], r["shown"]) for r in results}["impact_6_months"] == (1, False)
    # The satisfaction questionnaire, never answered, is reminded once; the impact one,
    # answered, is not.
    async with service.begin() as uow:
        assert await followups.remind_unanswered_evaluations(uow) == 1
        assert await followups.remind_unanswered_evaluations(uow) == 0

    # The one-year reminder of the rebond.
    service.clock.set(NOW + timedelta(days=21 + 366))
    async with service.begin() as uow:
        assert await followups.send_rebond_reminders(uow) == 1
        assert await followups.send_rebond_reminders(uow) == 0

    # The budget of Crest: voted, spent, floor (2 % of the allowances), each élu.
    rh = service.auth("rh-crest", CREST, "hr")
    voted = await service.client.put(
        f"/v1/collectivites/{CREST}/budgets/2026",
        json={"voted_cents": 150_000, "allowances_envelope_cents": 10_000_000},
        headers=rh,
    )
    assert voted.status_code == 200, voted.text
    statement = voted.json()
    assert (statement["spent_cents"], statement["floor_cents"]) == (30_000, 200_000)
    assert statement["voted_below_floor"] is True
    assert statement["elected"] == [{"person_id": ELU, "enrolments": 2, "spent_cents": 30_000}]
    assert statement["dif_url"].startswith("https://")
    assert (
        await service.client.get(f"/v1/collectivites/{CREST}/budgets/2026", headers=elu)
    ).status_code == 403
    assert (
        await service.client.get(f"/v1/collectivites/{CC_CRESTOIS}/budgets/2026", headers=rh)
    ).status_code == 403

    # Every event went through the real broker and validates against its schema.
    expected = {
        "enrolment.confirmed.v1",
        "rebond.proposed.v1",
        "rebond.answered.v1",
        "evaluation.due.v1",
        "evaluation.answered.v1",
        "session.scheduled.v1",
    }
    seen: list[Any] = []

    async def all_seen() -> bool:
        seen.extend(await drain(events))
        questionnaires = [m for m in seen if m.routing_key == "evaluation.due.v1"]
        return expected <= {m.routing_key for m in seen} and len(questionnaires) == 3

    await wait_until(all_seen, what="the training events on the broker")
    for message in seen:
        key = message.routing_key
        assert key is not None
        Draft202012Validator(schema_of(EVENTS[key]), format_checker=FormatChecker()).validate(
            body_of(message)
        )
        assert message.headers["ce-source"] == "training"
    sessions = [body_of(m) for m in seen if m.routing_key == "session.scheduled.v1"]
    assert {s["kind"] for s in sessions} == {"training_session"}
    assert any(s["participants"] == [ELU] for s in sessions)
    # The answer, as the Région's statistics count it: its notes in one, nobody named.
    [answer] = [body_of(m) for m in seen if m.routing_key == "evaluation.answered.v1"]
    assert (answer["kind"], answer["score"], answer["collectivite_siren"]) == (
        "impact_6_months",
        4,
        CREST,
    )
    assert "person_id" not in answer
    due = [body_of(m) for m in seen if m.routing_key == "evaluation.due.v1"]
    assert sorted((d["kind"], d["reminder"]) for d in due) == [
        ("impact_6_months", False),
        ("satisfaction", False),
        ("satisfaction", True),
    ]
    rebonds = [body_of(m) for m in seen if m.routing_key == "rebond.proposed.v1"]
    assert sorted(r["occasion"] for r in rebonds) == ["debrief", "one_year_later"]
    (answer,) = [body_of(m) for m in seen if m.routing_key == "rebond.answered.v1"]
    assert (answer["rebond_id"], answer["taken"]) == (rebond.json()["id"], True)
    assert answer["enrolment_id"] == taken.json()["enrolment"]["id"]
    assert answer["after_offer_id"] == module["id"]
