"""Loan use cases: propose (from an offer or a match proposal), accept, the lender's
three approvals, decline, cancel, and the loans a collectivité can see."""

from datetime import datetime
from uuid import UUID, uuid4

from deformations_contracts.types import Modality
from deformations_lending import events
from deformations_lending.domain import loans as rules
from deformations_lending.domain.calendar import Period
from deformations_lending.domain.errors import (
    InvalidInputError,
    InvalidTransitionError,
    LoanAlreadyExistsError,
    LoanNotFoundError,
    OfferNotFoundError,
    ProposalExpiredError,
    ProposalIncompleteError,
    ProposalNotFoundError,
    RequestNotFoundError,
)
from deformations_lending.domain.loan_model import Approval
from deformations_lending.domain.offers import Offer, RequestStatus
from deformations_lending.domain.policy import APPROVAL_COMMANDS, Actor, Command, Parties
from deformations_lending.repositories.loan_records import LoanRecord, People
from deformations_lending.service.access import acting_for, allow
from deformations_lending.service.loan_flow import Change, change_loan
from deformations_lending.service.uow import LendingUnitOfWork


async def _open_request(uow: LendingUnitOfWork, request_id: UUID, borrower: str) -> None:
    request = await uow.offers.get_request(request_id)
    if request is None or request.requester != borrower:
        raise RequestNotFoundError("Cette demande n'existe pas pour votre collectivité.")
    if request.status is not RequestStatus.OPEN:
        raise InvalidTransitionError("Cette demande a été retirée.")
    if request.hidden:
        raise InvalidTransitionError(
            "Cette demande est masquée par l'équipe de la plateforme : elle ne peut pas "
            "donner lieu à un prêt."
        )


async def _stored(uow: LendingUnitOfWork, loan_id: UUID) -> LoanRecord:
    record = await uow.loans.get_loan(loan_id)
    assert record is not None
    return record


async def _asking(uow: LendingUnitOfWork, loan_id: UUID, now: datetime) -> LoanRecord:
    """The new loan, once those who must act next are asked (outbox, same transaction)."""
    record = await _stored(uow, loan_id)
    await uow.emit_many(events.action_requests(record, now))
    return record


async def propose_loan(
    uow: LendingUnitOfWork,
    actor: Actor,
    *,
    offer_id: UUID,
    request_id: UUID | None,
    half_days: int,
    period: Period,
    scope: str,
    modality: Modality,
    accept: bool,
) -> LoanRecord:
    """The borrower chooses an offer: the loan is proposed (and accepted if ``accept``)."""
    borrower = acting_for(actor)
    allow(actor, Command.PROPOSE_LOAN, Parties(borrower=borrower))
    now = uow.now()
    offer = await uow.offers.get_offer(offer_id, for_update=True)
    if offer is None:
        raise OfferNotFoundError("Cette offre n'existe pas.")
    if request_id is not None:
        await _open_request(uow, request_id, borrower)
    outcome = rules.propose_loan(
        loan_id=uuid4(),
        offer=offer,
        borrower=borrower,
        half_days=half_days,
        period=period,
        scope=scope,
        modality=modality,
        now=now,
        request_id=request_id,
    )
    loan = rules.accept(outcome.loan, now=now).loan if accept else outcome.loan
    await uow.collectivites.remember(offer.lender, borrower)
    await uow.loans.insert_loan(loan, People(accepted_by=actor.person_id if accept else None))
    return await _asking(uow, loan.id, now)


async def loan_from_proposal(
    uow: LendingUnitOfWork, actor: Actor, proposal_id: UUID, request_id: UUID
) -> LoanRecord:
    """The borrower follows a match proposal up: the loan is proposed to the lender,
    already accepted by the borrower."""
    now = uow.now()
    proposal = await uow.proposals.get(proposal_id, request_id)
    if proposal is None:
        raise ProposalNotFoundError("Cette proposition n'existe pas.")
    allow(actor, Command.PROPOSE_LOAN, Parties(borrower=proposal.borrower_siren))
    if proposal.expires_at is not None and proposal.expires_at <= now:
        raise ProposalExpiredError("Cette proposition a expiré.")
    offer = await uow.offers.get_offer(proposal.offer_id, for_update=True)
    request = await uow.offers.get_request(proposal.request_id)
    if offer is None or request is None:
        raise ProposalIncompleteError(
            "L'offre ou la demande de cette proposition n'est pas encore connue ici : "
            "réessayez dans un instant."
        )
    if request.requester != proposal.borrower_siren:
        raise InvalidTransitionError("La demande proposée n'est pas la vôtre.")
    if proposal.loan_id is not None:
        raise LoanAlreadyExistsError(
            "Cette proposition a déjà donné lieu à un prêt pour cette demande."
        )
    outcome = rules.propose_from_match(
        loan_id=uuid4(), match_id=proposal_id, offer=offer, request=request, now=now
    )
    loan = rules.accept(outcome.loan, now=now).loan
    await uow.collectivites.remember(offer.lender, request.requester)
    await uow.loans.insert_loan(loan, People(accepted_by=actor.person_id))
    return await _asking(uow, loan.id, now)


async def my_loans(uow: LendingUnitOfWork, actor: Actor, status: str | None) -> list[LoanRecord]:
    """The loans where the actor's collectivité lends or borrows."""
    siren = acting_for(actor)
    allow(actor, Command.VIEW_LOAN, Parties(lender=siren))
    return await uow.loans.loans_of(siren, status=status)


async def visible_loan(
    uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, command: Command = Command.VIEW_LOAN
) -> LoanRecord:
    """A loan the actor may see (or act on with ``command``, which names no change)."""
    record = await uow.loans.get_loan(loan_id)
    if record is None:
        raise LoanNotFoundError("Ce prêt n'existe pas.")
    loan = record.loan
    allow(
        actor,
        command,
        Parties(lender=loan.lender, borrower=loan.borrower, agent=record.people.agent),
    )
    return record


async def accept(uow: LendingUnitOfWork, actor: Actor, loan_id: UUID) -> LoanRecord:
    """The borrower accepts the proposed loan."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        outcome = rules.accept(record.loan, now=uow.now())
        return Change(outcome.loan, outcome.events, People(accepted_by=actor.person_id))

    return await change_loan(uow, actor, loan_id, Command.ACCEPT_LOAN, decide)


async def approve(
    uow: LendingUnitOfWork,
    actor: Actor,
    loan_id: UUID,
    approval: Approval,
    *,
    agent_person_id: str | None = None,
) -> LoanRecord:
    """One of the lender's approvals: its elected, its HR (naming the agent who will go:
    ``agent_person_id``), or the agent's own consent, given by that agent in person."""
    if approval is Approval.HR and not agent_person_id:
        raise InvalidInputError("Désignez l'agent mis à disposition.")
    people = {
        Approval.ELECTED: People(elected_approved_by=actor.person_id),
        Approval.HR: People(hr_approved_by=actor.person_id, agent=agent_person_id),
        Approval.AGENT: People(),
    }[approval]

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        # The offer's commitment moves by trigger when the loan turns agreed.
        outcome = rules.approve(record.loan, offer, approval, now=uow.now())
        return Change(outcome.loan, outcome.events, people)

    command = APPROVAL_COMMANDS[approval.value]
    return await change_loan(uow, actor, loan_id, command, decide)


async def refuse_consent(
    uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, reason: str
) -> LoanRecord:
    """The named agent refuses, in person: the loan is declined with their reason."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        outcome = rules.refuse_consent(record.loan, reason=reason, now=uow.now())
        return Change(outcome.loan, outcome.events)

    return await change_loan(uow, actor, loan_id, Command.REFUSE_AGENT_CONSENT, decide)


async def decline(uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, reason: str) -> LoanRecord:
    """Decline a loan not yet agreed, with a reason."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        outcome = rules.decline(record.loan, reason=reason, now=uow.now())
        return Change(outcome.loan, outcome.events)

    return await change_loan(uow, actor, loan_id, Command.DECLINE_LOAN, decide)


async def cancel(uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, reason: str) -> LoanRecord:
    """Cancel a loan at any stage before its end; its coming sessions are cancelled."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        outcome = rules.cancel(record.loan, offer, reason=reason, now=uow.now())
        return Change(outcome.loan, outcome.events)

    return await change_loan(uow, actor, loan_id, Command.CANCEL_LOAN, decide)
