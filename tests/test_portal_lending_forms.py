"""The lending pages' pure parts: the forms read into lending's bodies with a French
message per wrong field, what a loan's page offers to each role, and lending's problem
details through the one service client (no server)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from deformations_common.vocabulary.roles import Role
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.web.lending import nearby
from deformations_portal.web.lending_client import (
    LENDING,
    LendingConflict,
    LendingForbidden,
    LendingUnavailable,
)
from deformations_portal.web.lending_forms import (
    answers_body,
    loan_body,
    offer_body,
    request_body,
    session_body,
)
from deformations_portal.web.lending_view import loan_view
from deformations_portal.web.service_client import problem

CREST, AOUSTE = "212601082", "212600118"
THEMES = {"energie": "Énergie", "alimentation": "Alimentation"}
OFFER = {
    "theme": "energie",
    "agent_role": "Technicienne énergie",
    "description": "Un diagnostic des bâtiments communaux.",
    "agent_ref": "M-042",
    "visibilite": "visible",
    "capacite": "6",
    "du": "2027-01-04",
    "au": "2027-06-30",
    "modalite": "on_site",
    "remboursement": "full_salary",
}


def test_an_offer_form_becomes_the_offer_lending_publishes() -> None:
    read = offer_body(OFFER, ["2:am", "1:pm", "2:am", "9:xx"], THEMES)
    assert read.ok, read.errors
    assert read.body["period"] == {"start": "2027-01-04", "end": "2027-06-30"}
    assert read.body["capacity_half_days"] == 6
    # ISO weekdays as lending takes them, each once, unknown codes dropped.
    assert read.body["possible_half_days"] == [
        {"weekday": 1, "part": "pm"},
        {"weekday": 2, "part": "am"},
    ]


@pytest.mark.parametrize(
    ("change", "ticked", "field", "message"),
    [
        ({"theme": "astrologie"}, ["1:am"], "theme", "Choisissez un thème"),
        ({"description": "court"}, ["1:am"], "description", "au moins 10 caractères"),
        ({"capacite": "six"}, ["1:am"], "capacite", "nombre entier"),
        ({"capacite": "0"}, ["1:am"], "capacite", "entre 1 et 520"),
        ({"au": "2026-12-01"}, ["1:am"], "au", "doit suivre le premier"),
        ({"du": "04/01/2027"}, ["1:am"], "du", "premier jour"),
        ({}, [], "creneau", "au moins une demi-journée"),
        ({"remboursement": ""}, ["1:am"], "remboursement", "remboursement"),
    ],
)
def test_each_wrong_field_of_an_offer_gets_its_own_french_message(
    change: dict[str, str], ticked: list[str], field: str, message: str
) -> None:
    read = offer_body({**OFFER, **change}, ticked, THEMES)
    assert not read.ok
    assert list(read.errors) == [field]
    assert message in read.errors[field]


def test_a_request_needs_no_half_day_of_the_week_but_a_need() -> None:
    form = {"theme": "alimentation", "besoin": "Revoir la cantine scolaire.", "du": "2027-01-04"}
    form |= {"au": "2027-03-31", "demi_journees": "3", "modalite": "either"}
    assert request_body(form, [], THEMES).ok
    wrong = request_body({**form, "besoin": " ", "demi_journees": ""}, [], THEMES)
    assert set(wrong.errors) == {"besoin", "demi_journees"}
    assert wrong.errors["besoin"] == "Indiquez votre besoin."


def test_asking_for_a_loan_accepts_it_in_the_same_call() -> None:
    form = {"demi_journees": "2", "du": "2027-01-04", "au": "2027-02-26"}
    form |= {"perimetre": "Diagnostic de l'école et de la mairie.", "modalite": "on_site"}
    read = loan_body("o-1", form)
    assert read.ok and read.body["accept"] is True and read.body["offer_id"] == "o-1"
    assert set(loan_body("o-1", {**form, "perimetre": ""}).errors) == {"perimetre"}


def test_a_half_day_is_remote_or_has_a_place_or_the_town_hall() -> None:
    base = {"jour": "2027-01-11", "moment": "am"}
    assert session_body(base).body == {"day": "2027-01-11", "part": "am"}
    assert session_body({**base, "a_distance": "oui"}).body["remote"] is True
    assert session_body({**base, "lieu": "Salle du conseil"}).body["place_label"] == (
        "Salle du conseil"
    )
    assert set(session_body({"jour": "lundi", "moment": "soir"}).errors) == {"jour", "moment"}


QUESTIONNAIRE = {
    "questions": [
        {"code": "useful", "kind": "scale", "required": True},
        {"code": "again", "kind": "yes_no", "required": True},
        {"code": "comment", "kind": "text", "required": False},
    ]
}


def test_answers_are_typed_as_lending_takes_them() -> None:
    read = answers_body({"useful": "4", "again": "non", "comment": " "}, QUESTIONNAIRE)
    assert read.ok and read.body == {"answers": {"useful": 4, "again": False}}
    wrong = answers_body({"useful": "9"}, QUESTIONNAIRE)
    assert set(wrong.errors) == {"useful", "again"}


def _member(siren: str, role: Role) -> Membership:
    now = datetime.now(UTC)
    return Membership(uuid.uuid4(), uuid.uuid4(), siren, role, Status.VALIDATED, now)


def _loan(status: str, **approvals: str | None) -> dict[str, Any]:
    given = {"elected": None, "hr": None, "agent": None} | approvals
    return {
        "id": "l-1",
        "status": status,
        "agent_role": "Technicienne énergie",
        "theme_label": "Énergie",
        "half_days": 2,
        "lender": {"siren": CREST, "name": "Crest"},
        "borrower": {"siren": AOUSTE, "name": "Aouste-sur-Sye"},
        "approvals": given,
        "sessions": [{"id": "s-1", "status": "scheduled", "label": "lundi", "remote": True}],
        "feedback_from": ["borrower"],
    }


def test_each_role_sees_only_the_actions_lending_allows_it() -> None:
    accepted = _loan("accepted", elected="2027-01-01T10:00:00+00:00")
    hr = loan_view(accepted, _member(CREST, Role.HR))
    assert [code for code, _ in hr.approve] == ["hr"] and not hr.agent_consent
    assert hr.decline and hr.cancel and not hr.accept
    elected = loan_view(accepted, _member(CREST, Role.ELECTED))
    assert elected.approve == [] and not elected.agent_consent  # already given
    agent = loan_view(accepted, _member(CREST, Role.AGENT), "agent-1")
    assert not (agent.approve or agent.decline or agent.cancel or agent.convention)
    assert not agent.agent_consent  # not named yet

    named = _loan("accepted", hr="2027-01-02T10:00:00+00:00") | {"agent_person_id": "agent-1"}
    assert loan_view(named, _member(CREST, Role.AGENT), "agent-1").agent_consent
    # Only the agent named, in person: not a colleague, not the RH, not the élue.
    assert not loan_view(named, _member(CREST, Role.AGENT), "agent-2").agent_consent
    for role in (Role.HR, Role.ELECTED):
        assert not loan_view(named, _member(CREST, role), "agent-1").agent_consent
    assert not loan_view(named, _member(AOUSTE, Role.AGENT), "agent-1").agent_consent
    outsider = loan_view(accepted, _member("200040509", Role.ELECTED))
    assert outsider.side is None and not outsider.cancel

    agreed = _loan("agreed")
    borrower = loan_view(agreed, _member(AOUSTE, Role.ELECTED))
    assert borrower.schedule and borrower.complete and borrower.convention
    assert not borrower.attestation
    assert not loan_view(agreed, _member(CREST, Role.AGENT)).attestation  # nothing held yet
    (session,) = borrower.sessions
    assert session.held and session.move and not session.confirm
    (lender_session,) = loan_view(agreed, _member(CREST, Role.HR)).sessions
    assert lender_session.confirm and not lender_session.held

    completed = _loan("completed")
    assert loan_view(completed, _member(CREST, Role.ELECTED)).feedback == "lender"
    assert loan_view(completed, _member(CREST, Role.AGENT)).feedback == "agent"
    assert not loan_view(completed, _member(CREST, Role.AGENT)).attestation
    completed["sessions"][0]["status"] = "held"
    assert loan_view(completed, _member(CREST, Role.AGENT)).attestation
    assert loan_view(completed, _member(CREST, Role.HR)).attestation
    assert loan_view(completed, _member(AOUSTE, Role.ELECTED)).feedback is None


def test_lendings_refusals_keep_its_french_detail_through_the_one_client() -> None:
    busy = problem(
        LENDING,
        httpx.Response(409, json={"code": "agent_already_booked", "detail": "Déjà réservé."}),
    )
    assert isinstance(busy, LendingConflict) and busy.message == "Déjà réservé."
    assert busy.details == {"upstream_code": "agent_already_booked"}
    assert isinstance(problem(LENDING, httpx.Response(403, json={})), LendingForbidden)
    down = problem(LENDING, httpx.Response(500, text="boom"))
    assert isinstance(down, LendingUnavailable) and "prêts de compétences" in down.message


def test_near_me_is_the_departement_or_the_epci_of_the_collectivite_acted_for() -> None:
    crestois = "200040509"  # CC du Crestois et du Pays de Saillans, Crest's EPCI
    assert nearby(AOUSTE, "departement") == [("departement", "26")]
    assert nearby(AOUSTE, "epci") == [("epci", crestois)]
    assert nearby(crestois, "epci") == [("epci", crestois)]
    assert nearby(crestois, "departement") == []  # an EPCI may span départements
    assert nearby(None, "epci") == [] and nearby(AOUSTE, "partout") == []


def _render_loan(loan: dict[str, Any], acting: Membership, person: str = "agent-1") -> str:
    from deformations_portal.domain.platform import Platform
    from deformations_portal.web.lending_forms import PARTS
    from deformations_portal.web.lending_loans import INVITATIONS
    from deformations_portal.web.render import page

    view = loan_view(loan, acting, person)
    return page(
        "lending/loan.html",
        title="Mise à disposition",
        me=None,
        csrf="jeton",
        referent=False,
        platform=Platform(),
        current="prets",
        view=view,
        loan=loan,
        side="",
        agents={},
        modality="",
        parts=PARTS,
        documents=[],
        notice="",
        error="",
        errors={"agent": "Choisissez l'agent mis à disposition."},
        given={"formulaire": "rh"},
        invited="",
        invitations=INVITATIONS,
    )


@pytest.mark.parametrize("status", ["proposed", "accepted", "agreed", "completed", "cancelled"])
@pytest.mark.parametrize("role", [Role.ELECTED, Role.HR, Role.AGENT])
def test_the_loan_page_renders_for_every_state_and_role(status: str, role: Role) -> None:
    named = {"agent_person_id": "agent-1", "approvals": {"hr": "2027-01-02T10:00:00+00:00"}}
    for siren in (CREST, AOUSTE):
        html = _render_loan(_loan(status), _member(siren, role))
        assert "<h1>Mise à disposition" in html
        # Only the HR of the lender, while the loan waits for its approvals, names the agent.
        names = status == "accepted" and siren == CREST and role is Role.HR
        assert ('id="accord-rh"' in html) is names
        assert 'id="accord-agent"' not in html
        # Then only the agent named, signed in as themself, answers.
        html = _render_loan(_loan(status) | named, _member(siren, role))
        consent = status == "accepted" and siren == CREST and role is Role.AGENT
        assert ("Je donne mon accord" in html) is consent
