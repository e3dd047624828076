"""Contract events built from the domain (no I/O): what travels, and what never does."""

from datetime import timedelta
from uuid import uuid4

import pytest
from lending_factories import BORROWER, EPCI, LENDER, NOW, agree, make_loan, make_offer

from deformations_contracts.events import lending as contract
from deformations_contracts.registry import routing_keys
from deformations_contracts.themes import label as theme_label
from deformations_lending import events
from deformations_lending.domain import events as domain_events
from deformations_lending.domain.calendar import HalfDay
from deformations_lending.domain.collectivites import describe
from deformations_lending.domain.loan_model import LoanOutcome
from deformations_lending.domain.offers import ReimbursementBasis
from deformations_lending.domain.sessions import schedule_session
from deformations_lending.repositories.loan_records import LoanRecord, People, SessionPlace


def test_an_offer_travels_with_iso_weekdays_and_its_collectivite_never_with_the_agent() -> None:
    offer = make_offer(agent_ref="matricule-42")
    lender = describe(LENDER.siren)
    event = events.skill_offered(offer, lender)
    data = event.model_dump(mode="json")
    assert data["collectivite"] == {
        "siren": LENDER.siren,
        "insee_code": "01053",
        "epci_siren": EPCI,
    }
    # Monday morning, Tuesday afternoon, Thursday morning: 0-based in the domain, ISO here.
    assert [(w["weekday"], w["part"]) for w in data["possible_half_days"]] == [
        (1, "am"),
        (2, "pm"),
        (4, "am"),
    ]
    assert "matricule-42" not in event.model_dump_json()


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        (ReimbursementBasis.FULL_SALARY, contract.ReimbursementBasis.SALARY_COSTS),
        (ReimbursementBasis.FLAT_RATE, contract.ReimbursementBasis.FLAT_RATE),
        (ReimbursementBasis.EXPENSES_ONLY, contract.ReimbursementBasis.FREE_OF_CHARGE),
        (ReimbursementBasis.NONE, contract.ReimbursementBasis.FREE_OF_CHARGE),
    ],
)
def test_every_reimbursement_basis_has_a_contract_value(
    basis: ReimbursementBasis, expected: contract.ReimbursementBasis
) -> None:
    assert events.REIMBURSEMENT[basis] is expected


def _agreed_with_session(people: People) -> tuple[LoanRecord, LoanOutcome]:
    offer = make_offer()
    loan, offer = agree(make_loan(offer), offer)
    monday = NOW.date() + timedelta(days=7)  # the offer's first weekly slot is Monday am
    outcome = schedule_session(
        loan,
        offer,
        session_id=uuid4(),
        half_day=HalfDay(monday, sorted(offer.possible_half_days)[0].part),
        agent_bookings=frozenset(),
        now=NOW,
    )
    session = outcome.loan.sessions[-1]
    place = SessionPlace(remote=False, place_label="Mairie de Péronnas")
    return LoanRecord(outcome.loan, people, {session.id: place}), outcome


def test_a_session_names_its_participants_and_survives_their_erasure() -> None:
    offer = make_offer()
    borrower = describe(BORROWER.siren)
    record, outcome = _agreed_with_session(People(agent="agent-1", accepted_by="elu-1"))
    [scheduled, asked] = events.for_loan(
        outcome.events,
        record,
        offer,
        borrower=borrower,
        stage_before=contract.LoanStage.AGREED,
        acted_by=contract.LoanParty.BORROWER,
    )
    # Proposed by the borrower: the lender, who confirms, is asked to.
    assert isinstance(asked, contract.LoanActionRequested)
    assert (asked.action, asked.collectivite_siren, asked.session_id) == (
        contract.LoanAction.CONFIRM_SESSION,
        record.loan.lender,
        record.loan.sessions[-1].id,
    )
    data = scheduled.model_dump(mode="json")
    assert data["participants"] == ["agent-1", "elu-1"]
    assert data["place_insee"] == "01289"
    assert data["title"] == (
        f"Prêt de compétences : {theme_label('alimentation')} (technicien restauration collective)"
    )
    assert data["starts_at"].endswith("09:00:00+01:00")

    erased, outcome = _agreed_with_session(People())
    # Proposed by the lender itself: nobody else's word awaited, nobody asked.
    [anonymous] = events.for_loan(
        outcome.events,
        erased,
        offer,
        borrower=borrower,
        stage_before=contract.LoanStage.AGREED,
        acted_by=contract.LoanParty.LENDER,
    )
    assert anonymous.model_dump()["participants"] == [events.ERASED_PERSON]


def test_every_domain_event_on_the_wire_is_a_contract_lending_declares() -> None:
    on_the_wire = {
        kind.routing_key
        for kind in vars(domain_events).values()
        if isinstance(kind, type)
        and issubclass(kind, domain_events.DomainEvent)
        and kind.routing_key is not None
    }

    assert on_the_wire == set(routing_keys(*events.PRODUCED))
