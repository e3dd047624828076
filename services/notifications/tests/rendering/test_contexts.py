"""Every event people are told of renders in French from its contract data alone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from deformations_common.vocabulary.collectivites import collectivite_name
from deformations_contracts.events.diagnosis import DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanCancelled
from deformations_contracts.events.matching import MatchProposed
from deformations_contracts.events.sessions import SessionScheduled
from deformations_notifications.rendering.contexts import Links, context_for
from deformations_notifications.rendering.renderer import Renderer

LINKS = Links("https://deformations.example.org/")
CREST, CRESTOIS = "212601082", "200040509"
renderer = Renderer()


def proposal(kind: str, **parties: Any) -> dict[str, Any]:
    return {
        "proposal_id": str(uuid4()),
        "kind": kind,
        "score": 0.7,
        "reasons": ["Voisins à moins de 20 km"],
        "theme": "alimentation",
        "proposed_at": "2026-11-26T09:00:00Z",
        **parties,
    }


def request(siren: str) -> dict[str, str]:
    return {"request_id": str(uuid4()), "collectivite_siren": siren}


OFFER = {"offer_id": str(uuid4()), "collectivite_siren": CREST}
ROUNDS = [{"number": 1, "pairings": [{"first": "a", "second": "b"}]}]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (proposal("need_offer", requests=[request(CRESTOIS)], offer=OFFER), "Crest"),
        (
            proposal("grouped_offer", requests=[request(CRESTOIS), request("210100012")]),
            "L'Abergement-Clémenciat",
        ),
        (proposal("peer_group", members=["a", "b", "c"]), "vous seriez 3"),
        (proposal("elu_technicien_pair", members=["a", "b"]), "binôme"),
        (proposal("speed_dating_rotation", members=["a", "b"], rounds=ROUNDS), "1 tour(s)"),
    ],
)
def test_every_kind_of_proposal_renders(payload: dict[str, Any], expected: str) -> None:
    if payload["kind"] == "grouped_offer":
        payload["offer"] = OFFER
    data = MatchProposed.model_validate(payload).model_dump(mode="json")
    ctx = context_for("match.proposed.v1", data, LINKS, collectivite_name)
    rendered = renderer.render("match.proposed", ctx)
    assert expected in rendered.text
    assert f"https://deformations.example.org/propositions/{payload['proposal_id']}" in (
        rendered.html
    )


def test_the_author_of_a_peer_group_is_told_it_is_formed_with_nothing_to_answer() -> None:
    payload = proposal("peer_group", members=["a", "b", "c", "d"], accepted=["a"])
    data = MatchProposed.model_validate(payload).model_dump(mode="json")
    ctx = context_for("match.proposed.v1", data, LINKS, collectivite_name)
    formed = renderer.render("match.group_formed", ctx)
    assert formed.subject.startswith("Votre groupe d'entraide est formé : Alimentation")
    for body in (formed.text, formed.html):
        assert "vous serez 4 élu·es" in body and "rien à répondre" in body
        assert "autres membres sont invités" in body
        assert "tant que vous n'avez pas répondu" not in body
    assert f"https://deformations.example.org/propositions/{payload['proposal_id']}" in (
        formed.html
    )


def test_a_cancelled_loan_says_why_and_names_both_collectivites() -> None:
    event = LoanCancelled.model_validate(
        {
            "loan_id": str(uuid4()),
            "offer_id": str(uuid4()),
            "lender_siren": CREST,
            "borrower_siren": CRESTOIS,
            "agent_role": "Technicien voirie",
            "theme": "mobilites",
            "half_days_agreed": 2,
            "stage": "accepted",
            "cancelled_by": "lender",
            "reason": "Agent indisponible en décembre",
            "cancelled_at": datetime(2026, 11, 26, tzinfo=UTC).isoformat(),
        }
    )
    ctx = context_for("loan.cancelled.v1", event.model_dump(mode="json"), LINKS, collectivite_name)
    text = renderer.render("loan.cancelled", ctx).text
    assert "Agent indisponible en décembre" in text
    assert "Crest" in text and collectivite_name(CRESTOIS) in text


def test_a_remote_session_and_a_session_placed_by_commune_code() -> None:
    base = {
        "session_id": str(uuid4()),
        "kind": "peer_group",
        "related_id": str(uuid4()),
        "starts_at": "2026-12-01T17:00:00Z",
        "ends_at": "2026-12-01T19:00:00Z",
        "participants": ["a"],
        "sequence": 0,
        "scheduled_at": "2026-11-26T09:00:00Z",
    }
    remote = SessionScheduled.model_validate({**base, "remote": True}).model_dump(mode="json")
    ctx = context_for("session.scheduled.v1", remote, LINKS, collectivite_name)
    assert ctx["title"] == "Groupe d'entraide entre pairs"
    assert "à distance" in renderer.render("session.scheduled", ctx).text
    placed = SessionScheduled.model_validate({**base, "place_insee": "26108"})
    ctx = context_for(
        "session.scheduled.v1", placed.model_dump(mode="json"), LINKS, collectivite_name
    )
    text = renderer.render("session.scheduled", ctx).text
    assert "Où : Crest" in text
    assert "le mardi 1er décembre 2026 à 18 h" in text


def test_unknown_codes_stay_readable() -> None:
    assert collectivite_name("999999999") == "la collectivité 999999999"
    assert collectivite_name("26108") == "Crest"


def team(distribution: dict[str, int]) -> dict[str, Any]:
    return DiagnosisTeamUpdated.model_validate(
        {
            "campaign_id": str(uuid4()),
            "team_kind": "intercommunality",
            "collectivite_siren": CRESTOIS,
            "questionnaire_version": "2026.1",
            "response_count": max(3, sum(distribution.values())),
            "family_distribution": distribution,
            "axis_statistics": {"ecologie": {"mean": 50.0, "spread": 10.0}},
            "updated_at": "2026-11-26T09:00:00Z",
        }
    ).model_dump(mode="json")


def test_a_collective_result_shows_no_family_of_fewer_than_three_people() -> None:
    labels = {"vigies": "Les vigies solidaires"}
    data = team({"vigies": 4, "pionniers": 1, "tisseurs": 1, "batisseurs": 1})
    ctx = context_for("diagnosis.team_updated.v1", data, LINKS, collectivite_name, labels)
    assert ctx["families"] == [
        {"label": "Les vigies solidaires", "count": 4},
        {"label": "Autres profils", "count": 3},
    ]
    assert ctx["team_name"] == f"l'équipe de {collectivite_name(CRESTOIS)}"
    small = context_for("diagnosis.team_updated.v1", team({"a1": 1, "b1": 1}), LINKS, str)
    assert small["families"] == []
    assert "Répartition" not in renderer.render("diagnosis.team_updated", small).text
