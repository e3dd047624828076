"""Loan use cases over the in-memory unit of work: proposal, approvals, refusals."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from lending_factories import BORROWER, LENDER, NOW
from lending_fakes import FakeUnitOfWork, actor, agreed_loan, offer_draft

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events import lending as contract
from deformations_contracts.types import Modality
from deformations_lending.domain.calendar import Period
from deformations_lending.domain.errors import (
    ForbiddenError,
    InvalidInputError,
    InvalidTransitionError,
    LoanAlreadyExistsError,
    LoanNotFoundError,
    OfferNotFoundError,
    ProposalExpiredError,
    ProposalIncompleteError,
)
from deformations_lending.domain.loan_model import Approval, LoanStatus
from deformations_lending.domain.policy import Actor
from deformations_lending.repositories.loan_records import LoanRecord
from deformations_lending.repositories.proposals import Proposal
from deformations_lending.service import catalogue, loans
from deformations_lending.service.catalogue import RequestDraft

PERIOD = Period(date(2026, 3, 2), date(2026, 5, 31))


async def _propose(uow: FakeUnitOfWork, *, accept: bool) -> LoanRecord:
    offer = await catalogue.publish_offer(uow, actor(LENDER.siren, "hr"), offer_draft())
    return await loans.propose_loan(
        uow,
        actor(BORROWER.siren, "elected", person="borrower-elected"),
        offer_id=offer.id,
        request_id=None,
        half_days=2,
        period=PERIOD,
        scope="Diagnostic des menus.",
        modality=Modality.ON_SITE,
        accept=accept,
    )


async def test_a_loan_proposed_and_accepted_at_once_records_who_accepted(
    uow: FakeUnitOfWork,
) -> None:
    record = await _propose(uow, accept=True)

    stored = uow.fake_loans.records[record.loan.id]
    assert stored.loan.status is LoanStatus.ACCEPTED
    assert stored.people.accepted_by == "borrower-elected"
    assert stored.loan.proposed_at == NOW
    assert set(uow.fake_collectivites.known) == {LENDER.siren, BORROWER.siren}
    # Accepted at once: the lender is asked for its approvals; the agent, not named yet,
    # is asked once the RH names them.
    assert uow.routing_keys() == ["skill.offered.v1", "loan.action_requested.v1"]
    asked = [e for e in uow.emitted if isinstance(e, contract.LoanActionRequested)]
    assert [(e.action, e.collectivite_siren, e.roles) for e in asked] == [
        (
            contract.LoanAction.APPROVE,
            LENDER.siren,
            [contract.ActingRole.ELECTED, contract.ActingRole.HR],
        ),
    ]
    assert {e.party for e in asked} == {contract.LoanParty.LENDER}


async def test_a_proposed_loan_asks_the_borrower_then_accepting_asks_the_lender(
    uow: FakeUnitOfWork,
) -> None:
    record = await _propose(uow, accept=False)
    proposed = uow.emitted[-1]
    assert isinstance(proposed, contract.LoanActionRequested)
    assert (proposed.action, proposed.party, proposed.collectivite_siren) == (
        contract.LoanAction.ACCEPT,
        contract.LoanParty.BORROWER,
        BORROWER.siren,
    )
    before = len(uow.emitted)

    await loans.accept(uow, actor(BORROWER.siren, "hr"), record.loan.id)

    asked = uow.emitted[before:]
    assert [(e.action, e.party) for e in asked if isinstance(e, contract.LoanActionRequested)] == [
        (contract.LoanAction.APPROVE, contract.LoanParty.LENDER),
    ]
    assert len(asked) == 1


async def test_the_third_approval_agrees_the_loan_and_announces_it(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    record = await _propose(uow, accept=True)
    loan_id = record.loan.id
    await loans.approve(uow, actor(LENDER.siren, "elected"), loan_id, Approval.ELECTED)
    await loans.approve(
        uow, actor(LENDER.siren, "hr", person="rh"), loan_id, Approval.HR, agent_person_id="ag-1"
    )
    assert uow.fake_loans.records[loan_id].loan.status is LoanStatus.ACCEPTED
    clock.advance(timedelta(hours=1))

    after = await loans.approve(
        uow, actor(LENDER.siren, "agent", person="ag-1"), loan_id, Approval.AGENT
    )

    assert after.loan.status is LoanStatus.AGREED
    assert after.loan.agreed_at == NOW + timedelta(hours=1)
    assert (after.people.agent, after.people.hr_approved_by) == ("ag-1", "rh")
    agreed = uow.emitted[-1]
    assert isinstance(agreed, contract.LoanAgreed)
    assert agreed.loan_id == loan_id
    assert agreed.agent_person_id == "ag-1"


async def test_the_hr_approval_names_the_agent_who_alone_is_asked(uow: FakeUnitOfWork) -> None:
    record = await _propose(uow, accept=True)
    loan_id = record.loan.id
    with pytest.raises(InvalidInputError, match="Désignez l'agent"):
        await loans.approve(uow, actor(LENDER.siren, "hr"), loan_id, Approval.HR)
    assert uow.fake_loans.records[loan_id].loan.approvals == {}
    before = len(uow.emitted)

    await loans.approve(
        uow, actor(LENDER.siren, "hr", person="rh"), loan_id, Approval.HR, agent_person_id="ag-1"
    )

    asked = uow.emitted[before:]
    assert len(asked) == 1
    consent = asked[0]
    assert isinstance(consent, contract.LoanActionRequested)
    assert (consent.action, consent.collectivite_siren, consent.roles) == (
        contract.LoanAction.AGENT_CONSENT,
        LENDER.siren,
        [contract.ActingRole.AGENT],
    )
    assert consent.agent_person_id == "ag-1"


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (actor(LENDER.siren, "hr", person="rh"), "réservée au rôle : agent"),
        (actor(LENDER.siren, "elected", person="elue"), "réservée au rôle : agent"),
        (actor(LENDER.siren, "agent", person="ag-2"), "Seul l'agent désigné"),
        (actor(BORROWER.siren, "agent", person="ag-1"), "collectivité concernée"),
    ],
)
async def test_nobody_but_the_named_agent_consents_or_refuses(
    uow: FakeUnitOfWork, who: Actor, message: str
) -> None:
    record = await _propose(uow, accept=True)
    loan_id = record.loan.id
    await loans.approve(
        uow, actor(LENDER.siren, "hr", person="rh"), loan_id, Approval.HR, agent_person_id="ag-1"
    )
    before = uow.fake_loans.records[loan_id]
    emitted = list(uow.emitted)

    with pytest.raises(ForbiddenError, match=message) as refused:
        await loans.approve(uow, who, loan_id, Approval.AGENT)
    assert refused.value.details == {"command": "give_agent_consent"}
    with pytest.raises(ForbiddenError, match=message):
        await loans.refuse_consent(uow, who, loan_id, "Je refuse à sa place")

    assert uow.fake_loans.records[loan_id] == before
    assert uow.emitted == emitted


async def test_the_named_agent_refuses_and_the_loan_is_declined(uow: FakeUnitOfWork) -> None:
    record = await _propose(uow, accept=True)
    loan_id = record.loan.id
    await loans.approve(
        uow, actor(LENDER.siren, "hr", person="rh"), loan_id, Approval.HR, agent_person_id="ag-1"
    )

    after = await loans.refuse_consent(
        uow, actor(LENDER.siren, "agent", person="ag-1"), loan_id, "Trop de travail ce mois-ci"
    )

    assert after.loan.status is LoanStatus.DECLINED
    assert after.loan.end_reason == "Refus de l'agent : Trop de travail ce mois-ci"
    cancelled = uow.emitted[-1]
    assert isinstance(cancelled, contract.LoanCancelled)
    assert (cancelled.cancelled_by, cancelled.agent_person_id) == (
        contract.LoanParty.LENDER,
        "ag-1",
    )


async def test_the_borrower_cannot_approve_for_the_lender(uow: FakeUnitOfWork) -> None:
    record = await _propose(uow, accept=True)
    emitted = list(uow.emitted)

    with pytest.raises(ForbiddenError) as refused:
        await loans.approve(uow, actor(BORROWER.siren, "elected"), record.loan.id, Approval.ELECTED)

    assert refused.value.details == {"command": "approve_as_elected"}
    assert uow.fake_loans.records[record.loan.id].loan.approvals == {}
    assert uow.emitted == emitted


async def test_declining_ends_the_loan_with_a_cancellation(uow: FakeUnitOfWork) -> None:
    record = await _propose(uow, accept=False)

    declined = await loans.decline(
        uow, actor(LENDER.siren, "hr"), record.loan.id, "Pas de disponibilité ce trimestre."
    )

    assert declined.loan.status is LoanStatus.DECLINED
    cancelled = uow.emitted[-1]
    assert isinstance(cancelled, contract.LoanCancelled)
    assert cancelled.cancelled_by is contract.LoanParty.LENDER


async def test_an_agreed_loan_cannot_be_declined(uow: FakeUnitOfWork) -> None:
    loan_id = await agreed_loan(uow)

    with pytest.raises(InvalidTransitionError):
        await loans.decline(uow, actor(BORROWER.siren, "elected"), loan_id, "Trop tard.")

    assert uow.fake_loans.records[loan_id].loan.status is LoanStatus.AGREED


async def test_unknown_loans_and_offers_are_not_found(uow: FakeUnitOfWork) -> None:
    with pytest.raises(LoanNotFoundError):
        await loans.accept(uow, actor(BORROWER.siren, "elected"), uuid4())
    with pytest.raises(OfferNotFoundError):
        await loans.propose_loan(
            uow,
            actor(BORROWER.siren, "elected"),
            offer_id=uuid4(),
            request_id=None,
            half_days=1,
            period=PERIOD,
            scope="Rien.",
            modality=Modality.ON_SITE,
            accept=False,
        )
    assert uow.fake_loans.records == {}


async def test_a_loan_only_shows_to_its_parties(uow: FakeUnitOfWork) -> None:
    loan_id = await agreed_loan(uow)

    seen = await loans.visible_loan(uow, actor(LENDER.siren, "agent"), loan_id)
    mine = await loans.my_loans(uow, actor(BORROWER.siren, "hr"), None)

    assert seen.loan.id == loan_id
    assert [r.loan.id for r in mine] == [loan_id]
    with pytest.raises(ForbiddenError):
        await loans.visible_loan(uow, actor("210100012", "elected"), loan_id)


# From a match proposal --------------------------------------------------------------------


async def _proposal(uow: FakeUnitOfWork, *, expires_at: datetime | None) -> Proposal:
    offer = await catalogue.publish_offer(uow, actor(LENDER.siren, "hr"), offer_draft())
    request = await catalogue.publish_request(
        uow,
        actor(BORROWER.siren, "elected"),
        RequestDraft(
            theme="alimentation",
            need="Mise à niveau sur l'alimentation durable pour la cantine.",
            period=PERIOD,
            half_days=2,
            possible_half_days=frozenset(),
            modality=Modality.ON_SITE,
        ),
    )
    proposal = Proposal(
        proposal_id=uuid4(),
        request_id=request.id,
        borrower_siren=BORROWER.siren,
        offer_id=offer.id,
        lender_siren=LENDER.siren,
        kind="need_offer",
        theme="alimentation",
        score=0.9,
        reasons=["même thème"],
        proposed_at=NOW,
        expires_at=expires_at,
    )
    await uow.fake_proposals.store([proposal])
    return proposal


async def test_following_a_proposal_up_gives_an_accepted_loan_once(uow: FakeUnitOfWork) -> None:
    proposal = await _proposal(uow, expires_at=None)
    borrower = actor(BORROWER.siren, "elected", person="b-1")

    record = await loans.loan_from_proposal(
        uow, borrower, proposal.proposal_id, proposal.request_id
    )

    assert record.loan.status is LoanStatus.ACCEPTED
    assert (record.loan.match_id, record.loan.request_id) == (
        proposal.proposal_id,
        proposal.request_id,
    )
    with pytest.raises(LoanAlreadyExistsError) as twice:
        await loans.loan_from_proposal(uow, borrower, proposal.proposal_id, proposal.request_id)
    assert (twice.value.code, twice.value.status) == ("already_exists", 409)
    assert len(uow.fake_loans.records) == 1


async def test_an_expired_proposal_is_refused_by_the_clock(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    proposal = await _proposal(uow, expires_at=NOW + timedelta(days=1))
    borrower = actor(BORROWER.siren, "elected")
    clock.set(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))  # the moment it expires

    with pytest.raises(ProposalExpiredError) as expired:
        await loans.loan_from_proposal(uow, borrower, proposal.proposal_id, proposal.request_id)

    assert (expired.value.code, expired.value.status) == ("proposal_expired", 409)
    assert uow.fake_loans.records == {}


async def test_a_proposal_whose_offer_is_unknown_yet_asks_to_retry(uow: FakeUnitOfWork) -> None:
    proposal = await _proposal(uow, expires_at=None)
    del uow.fake_offers.offers[proposal.offer_id]

    with pytest.raises(ProposalIncompleteError) as incomplete:
        await loans.loan_from_proposal(
            uow, actor(BORROWER.siren, "elected"), proposal.proposal_id, proposal.request_id
        )

    assert incomplete.value.code == "proposal_incomplete"
