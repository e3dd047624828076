"""The loan lifecycle: propose, accept, the lender's three approvals, decline, cancel."""

from uuid import UUID, uuid4

from fastapi import APIRouter, status

from deformations_common.auth import CurrentPrincipal
from deformations_common.db import Connection
from deformations_common.errors import Conflict, NotFound
from deformations_common.service import RuntimeDep
from deformations_lending.api.common import Now, acting_for, allow, unit_of_work
from deformations_lending.api.loan_flow import Change, LoanOut, change_loan
from deformations_lending.api.schemas import ConsentIn, LoanIn, ProposalLoanIn, ReasonIn
from deformations_lending.domain import loans as rules
from deformations_lending.domain.loans import Approval
from deformations_lending.domain.offers import Offer, RequestStatus
from deformations_lending.domain.policy import APPROVAL_COMMANDS, Command, Parties
from deformations_lending.repositories import collectivites, proposals
from deformations_lending.repositories import loans as rows
from deformations_lending.repositories import offers as offer_rows
from deformations_lending.repositories.loans import LoanRecord, People

router = APIRouter(prefix="/v1", tags=["prêts"])


async def _open_request(conn: Connection, request_id: UUID, borrower: str) -> None:
    request = await offer_rows.get_request(conn, request_id)
    if request is None or request.requester != borrower:
        raise NotFound(
            "Cette demande n'existe pas pour votre collectivité.", code="request_not_found"
        )
    if request.status is not RequestStatus.OPEN:
        raise Conflict("Cette demande a été retirée.", code="invalid_transition")


async def _created(conn: Connection, loan_id: UUID) -> LoanOut:
    record = await rows.get_loan(conn, loan_id)
    assert record is not None
    return LoanOut.of(record)


@router.post("/loans", status_code=status.HTTP_201_CREATED)
async def propose_loan(
    body: LoanIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> LoanOut:
    """Choisir une offre : le prêt est proposé (et accepté si ``accept``)."""
    borrower = acting_for(principal)
    allow(principal, Command.PROPOSE_LOAN, Parties(borrower=borrower))
    async with unit_of_work(runtime) as conn:
        offer = await offer_rows.get_offer(conn, body.offer_id, for_update=True)
        if offer is None:
            raise NotFound("Cette offre n'existe pas.", code="offer_not_found")
        if body.request_id is not None:
            await _open_request(conn, body.request_id, borrower)
        outcome = rules.propose_loan(
            loan_id=uuid4(),
            offer=offer,
            borrower=borrower,
            half_days=body.half_days,
            period=body.period.domain(),
            scope=body.scope,
            modality=body.modality,
            now=now,
            request_id=body.request_id,
        )
        loan = rules.accept(outcome.loan, now=now).loan if body.accept else outcome.loan
        await collectivites.remember(conn, offer.lender, borrower)
        await rows.insert_loan(
            conn, loan, People(accepted_by=principal.sub if body.accept else None)
        )
        return await _created(conn, loan.id)


@router.post("/proposals/{proposal_id}/loans", status_code=status.HTTP_201_CREATED)
async def loan_from_proposal(
    proposal_id: UUID,
    body: ProposalLoanIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    now: Now,
) -> LoanOut:
    """Donner suite à une proposition de mise en relation : le prêt est proposé à la
    collectivité prêteuse, déjà accepté par la vôtre."""
    async with unit_of_work(runtime) as conn:
        proposal = await proposals.get(conn, proposal_id, body.request_id)
        if proposal is None:
            raise NotFound("Cette proposition n'existe pas.", code="proposal_not_found")
        allow(principal, Command.PROPOSE_LOAN, Parties(borrower=proposal.borrower_siren))
        if proposal.expires_at is not None and proposal.expires_at <= now:
            raise Conflict("Cette proposition a expiré.", code="proposal_expired")
        offer = await offer_rows.get_offer(conn, proposal.offer_id, for_update=True)
        request = await offer_rows.get_request(conn, proposal.request_id)
        if offer is None or request is None:
            raise Conflict(
                "L'offre ou la demande de cette proposition n'est pas encore connue ici : "
                "réessayez dans un instant.",
                code="proposal_incomplete",
            )
        if request.requester != proposal.borrower_siren:
            raise Conflict("La demande proposée n'est pas la vôtre.", code="invalid_transition")
        if proposal.loan_id is not None:
            raise Conflict(
                "Cette proposition a déjà donné lieu à un prêt pour cette demande.",
                code="already_exists",
            )
        outcome = rules.propose_from_match(
            loan_id=uuid4(), match_id=proposal_id, offer=offer, request=request, now=now
        )
        loan = rules.accept(outcome.loan, now=now).loan
        await collectivites.remember(conn, offer.lender, request.requester)
        await rows.insert_loan(conn, loan, People(accepted_by=principal.sub))
        return await _created(conn, loan.id)


@router.get("/loans")
async def my_loans(
    runtime: RuntimeDep, principal: CurrentPrincipal, status: str | None = None
) -> list[LoanOut]:
    """Les prêts où ma collectivité prête ou emprunte."""
    siren = acting_for(principal)
    allow(principal, Command.VIEW_LOAN, Parties(lender=siren))
    async with runtime.pool.acquire() as conn:
        records = await rows.loans_of(conn, siren, status=status)
    return [LoanOut.of(r) for r in records]


async def load_visible(
    runtime: RuntimeDep, principal: CurrentPrincipal, loan_id: UUID
) -> LoanRecord:
    async with runtime.pool.acquire() as conn:
        record = await rows.get_loan(conn, loan_id)
    if record is None:
        raise NotFound("Ce prêt n'existe pas.", code="loan_not_found")
    loan = record.loan
    allow(principal, Command.VIEW_LOAN, Parties(lender=loan.lender, borrower=loan.borrower))
    return record


@router.get("/loans/{loan_id}")
async def get_loan(loan_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> LoanOut:
    return LoanOut.of(await load_visible(runtime, principal, loan_id))


@router.post("/loans/{loan_id}/accept")
async def accept(
    loan_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> LoanOut:
    """La collectivité d'accueil accepte le prêt proposé."""

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        outcome = rules.accept(record.loan, now=now)
        return Change(outcome.loan, outcome.events, People(accepted_by=principal.sub))

    record = await change_loan(runtime, principal, loan_id, Command.ACCEPT_LOAN, now, decide)
    return LoanOut.of(record)


async def _approve(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    loan_id: UUID,
    approval: Approval,
    now: Now,
    people: People,
) -> LoanOut:
    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        # The offer's commitment moves by trigger when the loan turns agreed.
        outcome = rules.approve(record.loan, offer, approval, now=now)
        return Change(outcome.loan, outcome.events, people)

    command = APPROVAL_COMMANDS[approval.value]
    return LoanOut.of(await change_loan(runtime, principal, loan_id, command, now, decide))


@router.post("/loans/{loan_id}/approvals/elected")
async def approve_as_elected(
    loan_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> LoanOut:
    """Accord de l'élu ou de l'élue de la collectivité d'origine."""
    people = People(elected_approved_by=principal.sub)
    return await _approve(runtime, principal, loan_id, Approval.ELECTED, now, people)


@router.post("/loans/{loan_id}/approvals/hr")
async def approve_as_hr(
    loan_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> LoanOut:
    """Validation des ressources humaines de la collectivité d'origine."""
    people = People(hr_approved_by=principal.sub)
    return await _approve(runtime, principal, loan_id, Approval.HR, now, people)


@router.post("/loans/{loan_id}/approvals/agent")
async def record_agent_consent(
    loan_id: UUID, body: ConsentIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> LoanOut:
    """Accord écrit de l'agent, enregistré par les ressources humaines de la collectivité
    d'origine (article L. 512-7 du code général de la fonction publique)."""
    people = People(agent=body.agent_person_id)
    return await _approve(runtime, principal, loan_id, Approval.AGENT, now, people)


@router.post("/loans/{loan_id}/decline")
async def decline(
    loan_id: UUID, body: ReasonIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> LoanOut:
    """Refuser un prêt pas encore convenu, avec un motif."""

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        outcome = rules.decline(record.loan, reason=body.reason, now=now)
        return Change(outcome.loan, outcome.events)

    return LoanOut.of(
        await change_loan(runtime, principal, loan_id, Command.DECLINE_LOAN, now, decide)
    )


@router.post("/loans/{loan_id}/cancel")
async def cancel(
    loan_id: UUID, body: ReasonIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> LoanOut:
    """Annuler un prêt à toute étape avant sa fin ; ses séances à venir sont annulées."""

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        outcome = rules.cancel(record.loan, offer, reason=body.reason, now=now)
        return Change(outcome.loan, outcome.events)

    return LoanOut.of(
        await change_loan(runtime, principal, loan_id, Command.CANCEL_LOAN, now, decide)
    )
