"""Programmes through the HTTP API on the real PostgreSQL and RabbitMQ: a non-conférence
from invitations to its closing review, and the carnet de bord's privacy."""

from datetime import timedelta
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from training_factories import NOW
from training_service import OPERATOR, Service, body_of, drain

from deformations_contracts.registry import EVENTS
from deformations_contracts.schemas import schema_of
from deformations_devtools.testing import wait_until

CLUNISOIS = "200040293"  # CC du Clunisois
CLUNY = "217101377"
COACH = "coach-clunisois"


async def test_a_non_conference_from_invitations_to_its_closing_review(service: Service) -> None:
    events = await service.tap("#")
    coach = service.auth(COACH, CLUNISOIS, "trainer")
    elu = service.auth("elu-cluny-1", CLUNY, "elected")
    client = service.client

    recipes = (await client.get("/v1/recipes", headers=elu)).json()
    lending = next(r for r in recipes if r["code"] == "t08_pret_de_competences")
    assert lending["tool"] == "lending" and lending["steps"] == []
    refused = await client.post(
        "/v1/programmes",
        json={"recipe_code": "t08_pret_de_competences", "territory_siren": CLUNISOIS},
        headers=coach,
    )
    assert refused.status_code == 409 and "prêt" in refused.json()["detail"]
    unknown = await client.post(
        "/v1/programmes",
        json={"recipe_code": "t10_non_conference", "territory_siren": "123456789"},
        headers=coach,
    )
    assert unknown.status_code == 422 and "code officiel géographique" in unknown.json()["detail"]
    assert (await client.get("/v1/programmes", headers=coach)).json() == []

    created = await client.post(
        "/v1/programmes",
        json={"recipe_code": "t10_non_conference", "territory_siren": CLUNISOIS},
        headers=coach,
    )
    assert created.status_code == 201, created.text
    programme = created.json()
    pid = programme["id"]
    assert programme["title"].endswith("CC du Clunisois")
    assert [s["key"] for s in programme["steps"]][4] == "jour_j"

    invited = await client.post(
        f"/v1/programmes/{pid}/invitations",
        json={"people": [{"person_id": "elu-cluny-1", "collectivite_siren": CLUNY}]},
        headers=coach,
    )
    assert invited.status_code == 200, invited.text
    assert (await client.get(f"/v1/programmes/{pid}", headers=elu)).status_code == 200
    stranger = service.auth("elu-ailleurs", CLUNY, "elected")
    assert (await client.get(f"/v1/programmes/{pid}", headers=stranger)).status_code == 403
    accepted = await client.post(
        f"/v1/programmes/{pid}/invitation", json={"accept": True}, headers=elu
    )
    assert accepted.json()["participants"][0]["status"] == "accepted"

    day = NOW + timedelta(days=30)
    bad = await client.post(
        f"/v1/programmes/{pid}/sessions",
        json={
            "step_key": "jour_j",
            "title": "La non-conférence",
            "starts_at": day.isoformat(),
            "ends_at": (day - timedelta(hours=1)).isoformat(),
            "place_label": "Salle des fêtes de Cluny",
        },
        headers=coach,
    )
    assert bad.status_code == 422 and "termine après" in bad.json()["detail"]
    planned = await client.post(
        f"/v1/programmes/{pid}/sessions",
        json={
            "step_key": "jour_j",
            "title": "La non-conférence du Clunisois",
            "starts_at": day.isoformat(),
            "ends_at": (day + timedelta(hours=4)).isoformat(),
            "place_label": "Salle des fêtes de Cluny",
            "place_insee": "71137",
        },
        headers=coach,
    )
    assert planned.status_code == 201, planned.text
    for step in ("attendus", "jour_j"):
        started = await client.post(f"/v1/programmes/{pid}/steps/{step}/start", headers=coach)
        assert started.status_code == 200, started.text
    note = await client.post(
        f"/v1/programmes/{pid}/materials",
        json={
            "step_key": "jour_j",
            "kind": "note",
            "title": "Atelier « mobilités rurales »",
            "body": "Projet démonstrateur : une ligne de covoiturage entre Cluny et Cormatin.",
        },
        headers=elu,
    )
    assert note.status_code == 201, note.text
    await client.post(
        f"/v1/programmes/{pid}/steps/jour_j/finish", json={"skipped": False}, headers=coach
    )
    closed = await client.post(f"/v1/programmes/{pid}/close", headers=coach)
    assert closed.json()["status"] == "closed"
    questions = closed.json()["review_questions"]
    assert len(questions) == 2 and questions[0].startswith("Des élus/élues ont échangé")

    answered = await client.post(
        f"/v1/programmes/{pid}/review",
        json={"answers": [{"score": 4, "comment": "Enfin !"}, {"score": 3}]},
        headers=elu,
    )
    assert answered.status_code == 201, answered.text
    again = await client.post(
        f"/v1/programmes/{pid}/review", json={"answers": [{"score": 1}, {"score": 1}]}, headers=elu
    )
    assert again.status_code == 409
    summary = (await client.get(f"/v1/programmes/{pid}/review", headers=coach)).json()
    assert [(c["mean_score"], c["answers"]) for c in summary] == [(4.0, 1), (3.0, 1)]

    reread = (await client.get(f"/v1/programmes/{pid}", headers=elu)).json()
    assert reread["materials"][0]["title"] == "Atelier « mobilités rurales »"
    # Closing skips the steps never started; « attendus » was left in progress.
    assert reread["reviews_received"] == 1 and reread["progress"] == round(5 / 6, 3)

    expected = {"programme.invited.v1", "session.scheduled.v1", "programme.review_due.v1"}
    seen: list[Any] = []

    async def all_seen() -> bool:
        seen.extend(await drain(events))
        return expected <= {m.routing_key for m in seen}

    await wait_until(all_seen, what="the programme events on the broker")
    for message in seen:
        key = message.routing_key
        assert key is not None
        Draft202012Validator(schema_of(EVENTS[key]), format_checker=FormatChecker()).validate(
            body_of(message)
        )
    scheduled = [body_of(m) for m in seen if m.routing_key == "session.scheduled.v1"]
    assert [(s["kind"], s["related_id"]) for s in scheduled] == [("programme_session", pid)]
    assert scheduled[0]["participants"] == [COACH, "elu-cluny-1"]
    due = [body_of(m) for m in seen if m.routing_key == "programme.review_due.v1"]
    assert [(d["person_id"], d["questions"]) for d in due] == [("elu-cluny-1", 2)]


async def test_a_carnet_entry_is_seen_by_nobody_but_its_author_unless_shared(
    service: Service,
) -> None:
    client = service.client
    coach = service.auth(COACH, None, "trainer")
    author = service.auth("elu-1", CLUNY, "elected")
    peer = service.auth("elu-2", CLUNY, "elected")
    operator = service.auth(OPERATOR, None, "operator")
    pid = (
        await client.post(
            "/v1/programmes",
            json={"recipe_code": "t02_carnet_de_bord", "territory_siren": CLUNY},
            headers=coach,
        )
    ).json()["id"]
    await client.post(
        f"/v1/programmes/{pid}/invitations",
        json={"people": [{"person_id": "elu-1"}, {"person_id": "elu-2"}]},
        headers=coach,
    )
    for who in (author, peer):
        await client.post(f"/v1/programmes/{pid}/invitation", json={"accept": True}, headers=who)

    # Three months of monthly coaching appointments, the clock moving between them.
    for month in range(3):
        start = service.clock() + timedelta(days=7)
        planned = await client.post(
            f"/v1/programmes/{pid}/sessions",
            json={
                "step_key": "coaching",
                "title": f"Rendez-vous coaching n° {month + 1}",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "remote": True,
            },
            headers=coach,
        )
        assert planned.status_code == 201, planned.text
        written = await client.post(
            f"/v1/programmes/{pid}/carnet",
            json={
                "kind": "situation",
                "title": f"Mois {month + 1} : une réunion publique houleuse",
                "body": "J'ai appris à reformuler les objections.",
                "tags": ["concertation"],
            },
            headers=author,
        )
        assert written.status_code == 201, written.text
        service.clock.advance(timedelta(days=30))
    mine = (await client.get(f"/v1/programmes/{pid}/carnet", headers=author)).json()
    assert len(mine) == 3 and not any(e["shared"] for e in mine)
    entry = mine[0]["id"]

    bad = await client.post(
        f"/v1/programmes/{pid}/carnet",
        json={"kind": "note", "title": "Mots-clés", "tags": ["deux mots"]},
        headers=author,
    )
    assert bad.status_code == 422 and "minuscules" in bad.json()["detail"]
    assert len((await client.get(f"/v1/programmes/{pid}/carnet", headers=author)).json()) == 3

    async def seen_by(headers: dict[str, str]) -> bool:
        response = await client.get(f"/v1/carnet/{entry}", headers=headers)
        assert response.status_code in (200, 404), response.text
        return response.status_code == 200

    async def coach_list() -> list[str]:
        response = await client.get(f"/v1/programmes/{pid}/carnet/shared", headers=coach)
        assert response.status_code == 200
        return [e["id"] for e in response.json()]

    assert await seen_by(author)
    for other in (coach, peer, operator):
        assert not await seen_by(other)
    assert await coach_list() == []
    assert (await client.get(f"/v1/programmes/{pid}/carnet", headers=peer)).json() == []
    programme_text = (await client.get(f"/v1/programmes/{pid}", headers=coach)).text
    assert "réunion publique houleuse" not in programme_text
    forbidden = await client.get(f"/v1/programmes/{pid}/carnet/shared", headers=operator)
    assert forbidden.status_code == 403
    stolen = await client.post(f"/v1/carnet/{entry}/sharing", json={"shared": True}, headers=coach)
    assert stolen.status_code == 404

    shared = await client.post(f"/v1/carnet/{entry}/sharing", json={"shared": True}, headers=author)
    assert shared.status_code == 200 and shared.json()["shared"] is True
    assert await seen_by(coach)
    assert not await seen_by(peer) and not await seen_by(operator)
    assert await coach_list() == [entry]

    unshared = await client.post(
        f"/v1/carnet/{entry}/sharing", json={"shared": False}, headers=author
    )
    assert unshared.json()["shared"] is False
    assert not await seen_by(coach)
    assert await coach_list() == []
    assert await seen_by(author)
