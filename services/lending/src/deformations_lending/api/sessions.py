"""Half-day sessions of an agreed loan, then its completion and the feedback."""

from uuid import UUID, uuid4

from fastapi import APIRouter, status

from deformations_common.auth import CurrentPrincipal
from deformations_common.db import Connection
from deformations_common.errors import Forbidden
from deformations_common.service import RuntimeDep
from deformations_contracts.types import Modality
from deformations_lending.api.common import Now
from deformations_lending.api.loan_flow import Change, LoanOut, SessionOut, change_loan
from deformations_lending.api.schemas import AnswersIn, ReasonIn, RescheduleIn, SessionIn
from deformations_lending.collectivites import describe
from deformations_lending.domain import loans as rules
from deformations_lending.domain.calendar import HalfDay
from deformations_lending.domain.errors import InvalidInputError
from deformations_lending.domain.feedback import Respondent
from deformations_lending.domain.offers import Offer
from deformations_lending.domain.policy import Command
from deformations_lending.repositories import loans as rows
from deformations_lending.repositories.loans import LoanRecord, SessionPlace

router = APIRouter(prefix="/v1/loans/{loan_id}", tags=["séances"])


def _place(record: LoanRecord, body: SessionIn) -> SessionPlace:
    modality = record.loan.modality
    if body.remote is True and modality is Modality.ON_SITE:
        raise InvalidInputError(
            "Ce prêt est convenu sur place : la séance ne peut être à distance."
        )
    if body.remote is False and modality is Modality.REMOTE:
        raise InvalidInputError(
            "Ce prêt est convenu à distance : la séance ne peut être sur place."
        )
    remote = modality is Modality.REMOTE or (modality is Modality.EITHER and bool(body.remote))
    if remote:
        return SessionPlace(remote=True, place_label=None)
    label = body.place_label or describe(record.loan.borrower).town_hall
    return SessionPlace(remote=False, place_label=label)


def _session_out(record: LoanRecord, session_id: UUID) -> SessionOut:
    out = LoanOut.of(record)
    return next(s for s in out.sessions if s.id == session_id)


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
async def schedule(
    loan_id: UUID, body: SessionIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> SessionOut:
    """Planifier une demi-journée ; l'agent n'est jamais réservé deux fois."""
    session_id = uuid4()

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        booked = await rows.agent_bookings(conn, record.loan.agent_ref)
        outcome = rules.schedule_session(
            record.loan,
            offer,
            session_id=session_id,
            half_day=body.half_day(),
            agent_bookings=booked,
            now=now,
        )
        return Change(outcome.loan, outcome.events, places={session_id: _place(record, body)})

    record = await change_loan(runtime, principal, loan_id, Command.SCHEDULE_SESSION, now, decide)
    return _session_out(record, session_id)


@router.post("/sessions/{session_id}/reschedule")
async def reschedule(
    loan_id: UUID,
    session_id: UUID,
    body: RescheduleIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    now: Now,
) -> SessionOut:
    """Déplacer une séance à venir ; elle est à confirmer de nouveau."""

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        booked = await rows.agent_bookings(conn, record.loan.agent_ref)
        outcome = rules.reschedule_session(
            record.loan,
            offer,
            session_id=session_id,
            half_day=HalfDay(body.day, body.part),
            agent_bookings=booked,
            now=now,
        )
        return Change(outcome.loan, outcome.events, note=body.reason)

    record = await change_loan(runtime, principal, loan_id, Command.RESCHEDULE_SESSION, now, decide)
    return _session_out(record, session_id)


@router.post("/sessions/{session_id}/confirm")
async def confirm(
    loan_id: UUID, session_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> SessionOut:
    """La collectivité d'origine confirme la venue de l'agent."""

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        outcome = rules.confirm_session(record.loan, session_id=session_id, now=now)
        return Change(outcome.loan, outcome.events)

    record = await change_loan(runtime, principal, loan_id, Command.CONFIRM_SESSION, now, decide)
    return _session_out(record, session_id)


@router.post("/sessions/{session_id}/cancel")
async def cancel_session(
    loan_id: UUID,
    session_id: UUID,
    body: ReasonIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    now: Now,
) -> SessionOut:
    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        outcome = rules.cancel_session(
            record.loan, session_id=session_id, reason=body.reason, now=now
        )
        return Change(outcome.loan, outcome.events)

    record = await change_loan(runtime, principal, loan_id, Command.CANCEL_SESSION, now, decide)
    return _session_out(record, session_id)


@router.post("/sessions/{session_id}/held")
async def held(
    loan_id: UUID, session_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> SessionOut:
    """La collectivité d'accueil déclare la demi-journée effectuée : son temps passe au
    grand livre des heures, de la collectivité d'origine vers elle."""

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        outcome = rules.record_session_held(
            record.loan, session_id=session_id, transaction_id=uuid4(), now=now
        )
        return Change(outcome.loan, outcome.events, ledger=outcome.transaction)

    record = await change_loan(
        runtime, principal, loan_id, Command.RECORD_SESSION_HELD, now, decide
    )
    return _session_out(record, session_id)


@router.post("/complete")
async def complete(
    loan_id: UUID, body: AnswersIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> LoanOut:
    """Terminer le prêt avec l'avis de la collectivité d'accueil."""

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        outcome = rules.complete(record.loan, offer, borrower_feedback=body.answers, now=now)
        return Change(outcome.loan, outcome.events)

    return LoanOut.of(
        await change_loan(runtime, principal, loan_id, Command.COMPLETE_LOAN, now, decide)
    )


_FEEDBACK_COMMANDS = {
    Respondent.BORROWER: Command.BORROWER_FEEDBACK,
    Respondent.LENDER: Command.LENDER_FEEDBACK,
    Respondent.AGENT: Command.AGENT_FEEDBACK,
}


@router.post("/feedback/{respondent}")
async def give_feedback(
    loan_id: UUID,
    respondent: Respondent,
    body: AnswersIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    now: Now,
) -> LoanOut:
    """Répondre au questionnaire d'après-prêt (collectivité d'origine ou agent)."""

    async def decide(record: LoanRecord, offer: Offer, conn: Connection) -> Change:
        agent = record.people.agent
        if respondent is Respondent.AGENT and agent is not None and agent != principal.sub:
            raise Forbidden(
                "Seul l'agent mis à disposition répond à ce questionnaire.", code="forbidden"
            )
        outcome = rules.record_feedback(record.loan, respondent, body.answers, now=now)
        return Change(outcome.loan, outcome.events)

    command = _FEEDBACK_COMMANDS[respondent]
    return LoanOut.of(await change_loan(runtime, principal, loan_id, command, now, decide))
