"""The loan lifecycle: propose, accept, the lender's three approvals, decline, cancel."""

from uuid import UUID

from fastapi import APIRouter, status

from deformations_lending.api.deps import CurrentActor, WorkDep
from deformations_lending.api.loan_out import LoanOut
from deformations_lending.api.schemas import HrApprovalIn, LoanIn, ProposalLoanIn, ReasonIn
from deformations_lending.domain.loan_model import Approval
from deformations_lending.service import loans

router = APIRouter(prefix="/v1", tags=["prêts"])


@router.post("/loans", status_code=status.HTTP_201_CREATED)
async def propose_loan(body: LoanIn, work: WorkDep, actor: CurrentActor) -> LoanOut:
    """Choisir une offre : le prêt est proposé (et accepté si ``accept``)."""
    async with work.begin() as uow:
        record = await loans.propose_loan(
            uow,
            actor,
            offer_id=body.offer_id,
            request_id=body.request_id,
            half_days=body.half_days,
            period=body.period.domain(),
            scope=body.scope,
            modality=body.modality,
            accept=body.accept,
        )
    return LoanOut.of(record)


@router.post("/proposals/{proposal_id}/loans", status_code=status.HTTP_201_CREATED)
async def loan_from_proposal(
    proposal_id: UUID, body: ProposalLoanIn, work: WorkDep, actor: CurrentActor
) -> LoanOut:
    """Donner suite à une proposition de mise en relation : le prêt est proposé à la
    collectivité prêteuse, déjà accepté par la vôtre."""
    async with work.begin() as uow:
        record = await loans.loan_from_proposal(uow, actor, proposal_id, body.request_id)
    return LoanOut.of(record)


@router.get("/loans")
async def my_loans(work: WorkDep, actor: CurrentActor, status: str | None = None) -> list[LoanOut]:
    """Les prêts où ma collectivité prête ou emprunte."""
    async with work.begin() as uow:
        records = await loans.my_loans(uow, actor, status)
    return [LoanOut.of(r) for r in records]


@router.get("/loans/{loan_id}")
async def get_loan(loan_id: UUID, work: WorkDep, actor: CurrentActor) -> LoanOut:
    async with work.begin() as uow:
        record = await loans.visible_loan(uow, actor, loan_id)
    return LoanOut.of(record)


@router.post("/loans/{loan_id}/accept")
async def accept(loan_id: UUID, work: WorkDep, actor: CurrentActor) -> LoanOut:
    """La collectivité d'accueil accepte le prêt proposé."""
    async with work.begin() as uow:
        record = await loans.accept(uow, actor, loan_id)
    return LoanOut.of(record)


@router.post("/loans/{loan_id}/approvals/elected")
async def approve_as_elected(loan_id: UUID, work: WorkDep, actor: CurrentActor) -> LoanOut:
    """Accord de l'élu ou de l'élue de la collectivité d'origine."""
    async with work.begin() as uow:
        record = await loans.approve(uow, actor, loan_id, Approval.ELECTED)
    return LoanOut.of(record)


@router.post("/loans/{loan_id}/approvals/hr")
async def approve_as_hr(
    loan_id: UUID, body: HrApprovalIn, work: WorkDep, actor: CurrentActor
) -> LoanOut:
    """Validation des ressources humaines de la collectivité d'origine, qui désigne
    l'agent mis à disposition : lui seul donnera ensuite son accord."""
    async with work.begin() as uow:
        record = await loans.approve(
            uow, actor, loan_id, Approval.HR, agent_person_id=body.agent_person_id
        )
    return LoanOut.of(record)


@router.post("/loans/{loan_id}/approvals/agent")
async def give_agent_consent(loan_id: UUID, work: WorkDep, actor: CurrentActor) -> LoanOut:
    """Accord de l'agent désigné, donné par l'agent en personne (article L. 512-7 du code
    général de la fonction publique)."""
    async with work.begin() as uow:
        record = await loans.approve(uow, actor, loan_id, Approval.AGENT)
    return LoanOut.of(record)


@router.post("/loans/{loan_id}/approvals/agent/refusal")
async def refuse_agent_consent(
    loan_id: UUID, body: ReasonIn, work: WorkDep, actor: CurrentActor
) -> LoanOut:
    """Refus de l'agent désigné, en personne et avec un motif : le prêt est refusé."""
    async with work.begin() as uow:
        record = await loans.refuse_consent(uow, actor, loan_id, body.reason)
    return LoanOut.of(record)


@router.post("/loans/{loan_id}/decline")
async def decline(loan_id: UUID, body: ReasonIn, work: WorkDep, actor: CurrentActor) -> LoanOut:
    """Refuser un prêt pas encore convenu, avec un motif."""
    async with work.begin() as uow:
        record = await loans.decline(uow, actor, loan_id, body.reason)
    return LoanOut.of(record)


@router.post("/loans/{loan_id}/cancel")
async def cancel(loan_id: UUID, body: ReasonIn, work: WorkDep, actor: CurrentActor) -> LoanOut:
    """Annuler un prêt à toute étape avant sa fin ; ses séances à venir sont annulées."""
    async with work.begin() as uow:
        record = await loans.cancel(uow, actor, loan_id, body.reason)
    return LoanOut.of(record)
