"""A full loan through lending's HTTP API on the real PostgreSQL and RabbitMQ: every
state change publishes its event (valid against the committed schema), the documents
say who, what and when, and the ledger moves time from lender to borrower."""

from typing import Any

import pytest
from platform_harness import Platform
from test_lending_support import (
    AOUSTE,
    CREST,
    CRESTOIS,
    PERIOD,
    Actors,
    created,
    ok,
    publish_offer,
    request_body,
    take,
)

from deformations_contracts.events.lending import (
    LoanAgreed,
    LoanCompleted,
    SkillOffered,
    SkillRequested,
)
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.registry import routing_keys

pytestmark = pytest.mark.integration

BORROWER_ANSWERS = {"useful": 5, "need_met": 4, "autonomy": 4, "again": True, "comment": "Merci !"}
LENDER_ANSWERS = {"burden": 4, "relations": 5, "framework": 4, "again": True}
AGENT_ANSWERS = {"interest": 5, "recognition": 4, "conditions": 4, "again": True}
KEYS = routing_keys(
    SkillOffered,
    SkillRequested,
    LoanAgreed,
    SessionScheduled,
    SessionRescheduled,
    SessionCancelled,
    LoanCompleted,
)


async def test_a_loan_from_offer_to_feedback(platform: Platform) -> None:
    lending = await platform.start("lending")
    taps = {key: await platform.tap(key) for key in KEYS}
    actors = Actors(lending)
    client = lending.client

    offer = await publish_offer(lending)
    assert offer["lender"]["name"] == "Crest"
    assert offer["lender"]["epci_siren"] == CRESTOIS
    request = created(
        await client.post("/v1/requests", json=request_body(), headers=actors.borrower())
    )
    [offered] = await take(taps["skill.offered.v1"], 1)
    assert offered["collectivite"] == {
        "siren": CREST,
        "insee_code": "26108",
        "epci_siren": CRESTOIS,
    }
    assert offered["possible_half_days"][0] == {"weekday": 2, "part": "am"}
    assert offered["reimbursement_basis"] == "salary_costs"
    assert "agent_ref" not in offered
    [requested] = await take(taps["skill.requested.v1"], 1)
    assert requested["request_id"] == request["id"]

    borrower_elected = actors.borrower(sub="elu-aouste")
    loan = created(
        await client.post(
            "/v1/loans",
            json={
                "offer_id": offer["id"],
                "request_id": request["id"],
                "half_days": 3,
                "period": PERIOD,
                "scope": "Former l'équipe de la cantine scolaire aux achats durables.",
            },
            headers=borrower_elected,
        )
    )
    assert loan["status"] == "proposed"
    base = f"/v1/loans/{loan['id']}"
    ok(await client.post(f"{base}/accept", headers=borrower_elected))
    ok(await client.post(f"{base}/approvals/elected", headers=actors.lender_elected()))
    pending = ok(
        await client.post(
            f"{base}/approvals/hr",
            json={"agent_person_id": "agent-crest"},
            headers=actors.lender_hr(),
        )
    )
    assert pending["status"] == "accepted"
    assert pending["missing_approvals"] == ["l'accord de l'agent"]
    assert pending["agent_person_id"] == "agent-crest"
    # The RH cannot answer for the agent: only the agent named, in person.
    for_them = await client.post(f"{base}/approvals/agent", headers=actors.lender_hr())
    assert for_them.status_code == 403
    assert "agent" in for_them.json()["detail"]
    agreed = ok(
        await client.post(f"{base}/approvals/agent", headers=actors.lender_agent("agent-crest"))
    )
    assert agreed["status"] == "agreed"
    [agreement] = await take(taps["loan.agreed.v1"], 1)
    assert agreement["agent_person_id"] == "agent-crest"
    assert agreement["lender_siren"] == CREST
    assert agreement["borrower_siren"] == AOUSTE
    assert agreement["half_days_agreed"] == 3
    assert (
        ok(await client.get(f"/v1/offers/{offer['id']}", headers=actors.borrower()))[
            "remaining_half_days"
        ]
        == 1
    )

    remote = await client.post(
        f"{base}/sessions",
        json={"day": "2027-03-02", "part": "am", "remote": True},
        headers=borrower_elected,
    )
    assert remote.status_code == 422
    assert "sur place" in remote.json()["detail"]
    sessions = []
    for day in ("2027-03-02", "2027-03-09", "2027-03-16"):
        sessions.append(
            created(
                await client.post(
                    f"{base}/sessions", json={"day": day, "part": "am"}, headers=borrower_elected
                )
            )
        )
    scheduled = await take(taps["session.scheduled.v1"], 3)
    first = scheduled[0]
    assert first["participants"] == ["agent-crest", "elu-aouste"]
    assert first["place_label"] == "Mairie d'Aouste-sur-Sye"
    assert first["place_insee"] == "26011"
    assert first["starts_at"] == "2027-03-02T09:00:00+01:00"
    assert first["ends_at"] == "2027-03-02T12:30:00+01:00"
    assert first["sequence"] == 0
    assert sorted(first["collectivite_sirens"]) == sorted([CREST, AOUSTE])

    moved = ok(
        await client.post(
            f"{base}/sessions/{sessions[1]['id']}/reschedule",
            json={"day": "2027-03-04", "part": "pm", "reason": "Réunion de chantier déplacée."},
            headers=actors.lender_hr(),
        )
    )
    assert moved["label"] == "jeudi 4 mars 2027, après-midi"
    [rescheduled] = await take(taps["session.rescheduled.v1"], 1)
    assert rescheduled["sequence"] == 1
    assert rescheduled["reason"] == "Réunion de chantier déplacée."
    assert rescheduled["previous_starts_at"] == "2027-03-09T09:00:00+01:00"

    ok(
        await client.post(
            f"{base}/sessions/{sessions[2]['id']}/cancel",
            json={"reason": "Conseil municipal avancé ce jour-là."},
            headers=borrower_elected,
        )
    )
    [cancelled] = await take(taps["session.cancelled.v1"], 1)
    assert cancelled["reason"] == "Conseil municipal avancé ce jour-là."

    for session in sessions[:2]:
        ok(
            await client.post(
                f"{base}/sessions/{session['id']}/confirm", headers=actors.lender_hr()
            )
        )
    later = actors.borrower(at="2027-03-05T18:00:00+01:00")
    for session in sessions[:2]:
        held = ok(await client.post(f"{base}/sessions/{session['id']}/held", headers=later))
        assert held["status"] == "held"

    done = ok(
        await client.post(f"{base}/complete", json={"answers": BORROWER_ANSWERS}, headers=later)
    )
    assert done["status"] == "completed"
    [completion] = await take(taps["loan.completed.v1"], 1)
    assert completion["half_days_used"] == 2
    assert completion["feedback"] == [
        {"respondent": "borrower", "satisfaction": 5, "usefulness": 4, "would_renew": True}
    ]
    # The unused half-day went back to the offer.
    assert (
        ok(await client.get(f"/v1/offers/{offer['id']}", headers=later))["remaining_half_days"] == 2
    )

    lender_hr = actors.lender_hr(at="2027-03-05T18:00:00+01:00")
    ok(
        await client.post(
            f"{base}/feedback/lender", json={"answers": LENDER_ANSWERS}, headers=lender_hr
        )
    )
    agent = actors.of(CREST, "agent", sub="agent-crest")
    ok(await client.post(f"{base}/feedback/agent", json={"answers": AGENT_ANSWERS}, headers=agent))
    results = ok(await client.get(f"/v1/offers/{offer['id']}/feedback", headers=agent))
    assert results["borrower"]["responses"] == 1
    assert results["agent"]["hidden"] is True  # fewer than three agents answered

    await _documents(lending, base, borrower_elected, agent)
    await _balances(lending, borrower_elected)


async def _documents(
    lending: Any, base: str, borrower: dict[str, str], agent: dict[str, str]
) -> None:
    client = lending.client
    html = await client.get(f"{base}/convention.html", headers=borrower)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    text = html.text
    for expected in (
        "la commune de Crest",
        "la commune d&#39;Aouste-sur-Sye",
        "Technicienne restauration collective",
        "L. 512-7",
        "jeudi 4 mars 2027, après-midi",
    ):
        assert expected in text, expected
    pdf = await client.get(f"{base}/convention.pdf", headers=borrower)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    attestation = await client.get(f"{base}/attestation.html", headers=agent)
    assert attestation.status_code == 200
    assert "2 demi-journées, soit 7 h" in attestation.text
    attestation_pdf = await client.get(f"{base}/attestation.pdf", headers=agent)
    assert attestation_pdf.content.startswith(b"%PDF")
    assert attestation_pdf.headers["content-type"] == "application/pdf"


async def _balances(lending: Any, headers: dict[str, str]) -> None:
    balances = ok_list(await lending.client.get("/v1/ledger/balances", headers=headers))
    by_siren = {b["siren"]: b for b in balances}
    assert by_siren[CREST]["minutes"] == 420
    assert by_siren[CREST]["position"] == "prêteuse"
    assert by_siren[AOUSTE]["minutes"] == -420
    assert sum(b["minutes"] for b in balances) == 0
    epcis = ok_list(await lending.client.get("/v1/ledger/balances/epci", headers=headers))
    assert epcis == [
        {
            "siren": CRESTOIS,
            "name": "CC du Crestois et de Pays de Saillans Coeur de Drôme",
            "minutes": 0,
            "hours_label": "0 h",
            "position": "à l'équilibre",
        }
    ]


def ok_list(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found
