"""Browsing offers and requests, withdrawing them, and the errors that say why."""

from typing import Any

import pytest
from platform_harness import Platform, RunningService
from test_lending_support import (
    AOUSTE,
    CREST,
    CRESTOIS,
    PERIOD,
    PERONNAS,
    Actors,
    agreed_loan,
    created,
    ok,
    publish_offer,
    request_body,
    take,
)

pytestmark = pytest.mark.integration


async def ids(lending: RunningService, path: str, **params: Any) -> set[str]:
    response = await lending.client.get(
        path, params=params, headers=Actors(lending).of(None, "trainer")
    )
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()}


async def test_browse_by_theme_epci_departement_and_period(platform: Platform) -> None:
    lending = await platform.start("lending")
    crest_food = await publish_offer(lending, CREST)
    crest_energy = await publish_offer(
        lending, CREST, theme="energie", period={"start": "2027-09-01", "end": "2027-12-31"}
    )
    peronnas_food = await publish_offer(lending, PERONNAS)
    request = created(
        await lending.client.post(
            "/v1/requests", json=request_body(), headers=Actors(lending).borrower()
        )
    )

    everything = {crest_food["id"], crest_energy["id"], peronnas_food["id"]}
    assert await ids(lending, "/v1/offers") == everything
    assert await ids(lending, "/v1/offers", theme="alimentation") == {
        crest_food["id"],
        peronnas_food["id"],
    }
    assert await ids(lending, "/v1/offers", epci=CRESTOIS) == {
        crest_food["id"],
        crest_energy["id"],
    }
    assert await ids(lending, "/v1/offers", departement="01") == {peronnas_food["id"]}
    assert await ids(lending, "/v1/offers", start="2027-08-01") == {crest_energy["id"]}
    assert await ids(lending, "/v1/offers", end="2027-04-01") == {
        crest_food["id"],
        peronnas_food["id"],
    }
    assert await ids(lending, "/v1/offers", collectivite=PERONNAS) == {peronnas_food["id"]}
    assert await ids(lending, "/v1/requests", epci=CRESTOIS, theme="alimentation") == {
        request["id"]
    }
    assert await ids(lending, "/v1/requests", departement="01") == set()
    bad = await lending.client.get(
        "/v1/offers", params={"epci": "12"}, headers=Actors(lending).borrower()
    )
    assert bad.status_code == 422


async def test_withdrawing_an_offer_cancels_what_is_not_settled(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    taps = {
        key: await platform.tap(key)
        for key in ("offer.withdrawn.v1", "loan.cancelled.v1", "session.cancelled.v1")
    }
    agreed = await agreed_loan(lending, half_days=2, capacity_half_days=4)
    base = f"/v1/loans/{agreed['id']}"
    kept = created(
        await lending.client.post(
            f"{base}/sessions", json={"day": "2027-03-02", "part": "am"}, headers=actors.borrower()
        )
    )
    ok(
        await lending.client.post(
            f"{base}/sessions/{kept['id']}/confirm", headers=actors.lender_hr()
        )
    )
    dropped = created(
        await lending.client.post(
            f"{base}/sessions", json={"day": "2027-03-09", "part": "am"}, headers=actors.borrower()
        )
    )
    pending = created(
        await lending.client.post(
            "/v1/loans",
            json={
                "offer_id": agreed["offer_id"],
                "half_days": 1,
                "period": PERIOD,
                "scope": "Une demi-journée sur les circuits courts.",
            },
            headers=actors.borrower(),
        )
    )

    withdrawn = ok(
        await lending.client.post(
            f"/v1/offers/{agreed['offer_id']}/withdraw",
            json={"reason": "Agente en congé à partir d'avril."},
            headers=actors.lender_elected(),
        )
    )

    assert withdrawn["status"] == "withdrawn"
    loan = ok(await lending.client.get(base, headers=actors.borrower()))
    states = {s["id"]: s["status"] for s in loan["sessions"]}
    assert states == {kept["id"]: "confirmed", dropped["id"]: "cancelled"}
    other = ok(await lending.client.get(f"/v1/loans/{pending['id']}", headers=actors.borrower()))
    assert other["status"] == "cancelled"
    assert other["end_reason"] == "Offre retirée : Agente en congé à partir d'avril."
    [event] = await take(taps["offer.withdrawn.v1"], 1)
    assert event["reason"] == "Agente en congé à partir d'avril."
    [cancelled_loan] = await take(taps["loan.cancelled.v1"], 1)
    assert cancelled_loan["loan_id"] == pending["id"]
    assert cancelled_loan["stage"] == "proposed"
    assert cancelled_loan["cancelled_by"] == "lender"
    [cancelled_session] = await take(taps["session.cancelled.v1"], 1)
    assert cancelled_session["session_id"] == dropped["id"]
    assert cancelled_session["sequence"] == 1
    # No new session on a withdrawn offer, and no second withdrawal.
    refused = await lending.client.post(
        f"{base}/sessions", json={"day": "2027-03-16", "part": "am"}, headers=actors.borrower()
    )
    assert refused.status_code == 409
    again = await lending.client.post(
        f"/v1/offers/{agreed['offer_id']}/withdraw",
        json={"reason": "Encore."},
        headers=actors.lender_elected(),
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "says"),
    [
        (
            "/approvals/hr",
            {"agent_person_id": "agent-1"},
            409,
            "invalid_transition",
            "le prêt est proposé",
        ),
        ("/complete", {"answers": {}}, 409, "invalid_transition", "le prêt est proposé"),
        (
            "/sessions",
            {"day": "2027-03-02", "part": "am"},
            409,
            "invalid_transition",
            "planifier une séance",
        ),
        ("/decline", {"reason": "x"}, 422, None, None),
        ("/nothing-here", None, 404, None, None),
    ],
)
async def test_a_refused_command_says_why_and_changes_nothing(
    platform: Platform,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    code: str | None,
    says: str | None,
) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    offer = await publish_offer(lending)
    loan = created(
        await lending.client.post(
            "/v1/loans",
            json={
                "offer_id": offer["id"],
                "half_days": 1,
                "period": PERIOD,
                "scope": "Une demi-journée sur les circuits courts.",
            },
            headers=actors.borrower(),
        )
    )
    who = actors.lender_hr() if "approvals" in path else actors.borrower()
    response = await lending.client.post(f"/v1/loans/{loan['id']}{path}", json=body, headers=who)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if code:
        assert response.json()["code"] == code
    if says:
        assert says in response.json()["detail"]
    after = ok(await lending.client.get(f"/v1/loans/{loan['id']}", headers=actors.borrower()))
    assert after["status"] == "proposed"
    assert after["sessions"] == []
    # The proposal asked the borrower to accept (loan.action_requested.v1); the refused
    # command added nothing after it.
    outbox = await lending.runtime.pool.fetchrow(
        """SELECT count(*) FILTER (WHERE routing_key <> 'loan.action_requested.v1') AS others,
                  count(*) FILTER (WHERE routing_key = 'loan.action_requested.v1') AS asked
           FROM outbox WHERE routing_key LIKE 'loan.%'"""
    )
    assert outbox["others"] == 0 and outbox["asked"] <= 1


async def test_invalid_input_is_422_with_the_domains_words(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    past = await lending.client.post(
        "/v1/offers",
        json={
            "theme": "alimentation",
            "description": "Accompagner une cantine vers des produits durables.",
            "agent_role": "Technicienne restauration collective",
            "agent_ref": "a-1",
            "capacity_half_days": 2,
            "period": {"start": "2026-01-01", "end": "2026-02-01"},
            "possible_half_days": [{"weekday": 2, "part": "am"}],
            "modality": "on_site",
            "reimbursement": "flat_rate",
        },
        headers=actors.lender_hr(),
    )
    assert past.status_code == 422
    assert past.json()["detail"] == "La période de l'offre est déjà passée."
    own = await publish_offer(lending, AOUSTE)
    to_itself = await lending.client.post(
        "/v1/loans",
        json={
            "offer_id": own["id"],
            "half_days": 1,
            "period": PERIOD,
            "scope": "Se prêter son propre agent.",
        },
        headers=actors.borrower(),
    )
    assert to_itself.status_code == 422
    assert "propre agent" in to_itself.json()["detail"]


async def test_the_api_is_documented(platform: Platform) -> None:
    lending = await platform.start("lending")
    openapi = ok(await lending.client.get("/openapi.json"))
    paths = set(openapi["paths"])
    for path in (
        "/v1/offers",
        "/v1/requests/{request_id}/withdraw",
        "/v1/proposals/{proposal_id}/loans",
        "/v1/loans/{loan_id}/approvals/agent",
        "/v1/loans/{loan_id}/approvals/agent/refusal",
        "/v1/loans/{loan_id}/sessions/{session_id}/held",
        "/v1/loans/{loan_id}/convention.{fmt}",
        "/v1/loans/{loan_id}/feedback/{respondent}",
        "/v1/ledger/balances/epci",
    ):
        assert path in paths, path
    questionnaires = ok(
        await lending.client.get("/v1/feedback/questionnaires", headers=Actors(lending).borrower())
    )
    assert set(questionnaires) == {"borrower", "lender", "agent"}


async def test_a_declined_loan_and_a_withdrawn_request_are_published(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    taps = {key: await platform.tap(key) for key in ("loan.cancelled.v1", "request.withdrawn.v1")}
    offer = await publish_offer(lending)
    request = created(
        await lending.client.post("/v1/requests", json=request_body(), headers=actors.borrower())
    )
    loan = created(
        await lending.client.post(
            "/v1/loans",
            json={
                "offer_id": offer["id"],
                "request_id": request["id"],
                "half_days": 2,
                "period": PERIOD,
                "scope": "Deux demi-journées sur les circuits courts.",
                "accept": True,
            },
            headers=actors.borrower(),
        )
    )
    base = f"/v1/loans/{loan['id']}"
    ok(await lending.client.post(f"{base}/approvals/elected", headers=actors.lender_elected()))
    declined = ok(
        await lending.client.post(
            f"{base}/decline",
            json={"reason": "Le service RH ne peut pas se passer de l'agente en mars."},
            headers=actors.lender_hr(),
        )
    )
    assert declined["status"] == "declined"
    ok(
        await lending.client.post(
            f"/v1/requests/{request['id']}/withdraw",
            json={"reason": "Besoin couvert par le CNFPT."},
            headers=actors.borrower(),
        )
    )

    [cancelled] = await take(taps["loan.cancelled.v1"], 1)
    assert cancelled["stage"] == "approved"  # accepted, with one of the lender's approvals
    assert cancelled["cancelled_by"] == "lender"
    assert cancelled["agent_person_id"] is None
    assert cancelled["request_id"] == request["id"]
    [withdrawn] = await take(taps["request.withdrawn.v1"], 1)
    assert withdrawn == {
        "request_id": request["id"],
        "collectivite_siren": AOUSTE,
        "reason": "Besoin couvert par le CNFPT.",
        "withdrawn_at": "2027-03-01T08:00:00+01:00",
    }
    assert await ids(lending, "/v1/requests") == set()
