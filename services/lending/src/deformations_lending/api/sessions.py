"""Half-day sessions of an agreed loan, then its completion and the feedback."""

from uuid import UUID

from fastapi import APIRouter, status

from deformations_lending.api.deps import CurrentActor, WorkDep
from deformations_lending.api.loan_out import LoanOut, SessionOut
from deformations_lending.api.schemas import AnswersIn, ReasonIn, RescheduleIn, SessionIn
from deformations_lending.domain.calendar import HalfDay
from deformations_lending.domain.feedback import Respondent
from deformations_lending.service import sessions

router = APIRouter(prefix="/v1/loans/{loan_id}", tags=["séances"])


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
async def schedule(
    loan_id: UUID, body: SessionIn, work: WorkDep, actor: CurrentActor
) -> SessionOut:
    """Planifier une demi-journée ; l'agent n'est jamais réservé deux fois."""
    async with work.begin() as uow:
        record, session_id = await sessions.schedule(
            uow, actor, loan_id, body.half_day(), remote=body.remote, place_label=body.place_label
        )
    return SessionOut.find(record, session_id)


@router.post("/sessions/{session_id}/reschedule")
async def reschedule(
    loan_id: UUID, session_id: UUID, body: RescheduleIn, work: WorkDep, actor: CurrentActor
) -> SessionOut:
    """Déplacer une séance à venir ; elle est à confirmer de nouveau."""
    half_day = HalfDay(body.day, body.part)
    async with work.begin() as uow:
        record = await sessions.reschedule(uow, actor, loan_id, session_id, half_day, body.reason)
    return SessionOut.find(record, session_id)


@router.post("/sessions/{session_id}/confirm")
async def confirm(
    loan_id: UUID, session_id: UUID, work: WorkDep, actor: CurrentActor
) -> SessionOut:
    """La collectivité d'origine confirme la venue de l'agent."""
    async with work.begin() as uow:
        record = await sessions.confirm(uow, actor, loan_id, session_id)
    return SessionOut.find(record, session_id)


@router.post("/sessions/{session_id}/cancel")
async def cancel_session(
    loan_id: UUID, session_id: UUID, body: ReasonIn, work: WorkDep, actor: CurrentActor
) -> SessionOut:
    async with work.begin() as uow:
        record = await sessions.cancel(uow, actor, loan_id, session_id, body.reason)
    return SessionOut.find(record, session_id)


@router.post("/sessions/{session_id}/held")
async def held(loan_id: UUID, session_id: UUID, work: WorkDep, actor: CurrentActor) -> SessionOut:
    """La collectivité d'accueil déclare la demi-journée effectuée : son temps passe au
    grand livre des heures, de la collectivité d'origine vers elle."""
    async with work.begin() as uow:
        record = await sessions.record_held(uow, actor, loan_id, session_id)
    return SessionOut.find(record, session_id)


@router.post("/complete")
async def complete(loan_id: UUID, body: AnswersIn, work: WorkDep, actor: CurrentActor) -> LoanOut:
    """Terminer le prêt avec l'avis de la collectivité d'accueil."""
    async with work.begin() as uow:
        record = await sessions.complete(uow, actor, loan_id, body.answers)
    return LoanOut.of(record)


@router.post("/feedback/{respondent}")
async def give_feedback(
    loan_id: UUID, respondent: Respondent, body: AnswersIn, work: WorkDep, actor: CurrentActor
) -> LoanOut:
    """Répondre au questionnaire d'après-prêt (collectivité d'origine ou agent)."""
    async with work.begin() as uow:
        record = await sessions.give_feedback(uow, actor, loan_id, respondent, body.answers)
    return LoanOut.of(record)
