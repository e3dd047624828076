"""Half-day sessions of an agreed loan, then its completion and the feedback."""

from collections.abc import Mapping
from uuid import UUID, uuid4

from deformations_contracts.types import Modality
from deformations_lending.domain import loans as rules
from deformations_lending.domain import sessions as session_rules
from deformations_lending.domain.calendar import HalfDay
from deformations_lending.domain.collectivites import describe
from deformations_lending.domain.errors import ForbiddenError, InvalidInputError
from deformations_lending.domain.feedback import Answer, Respondent
from deformations_lending.domain.offers import Offer
from deformations_lending.domain.policy import Actor, Command
from deformations_lending.repositories.loan_records import LoanRecord, SessionPlace
from deformations_lending.service.loan_flow import Change, change_loan
from deformations_lending.service.uow import LendingUnitOfWork


def place_of(record: LoanRecord, remote: bool | None, place_label: str | None) -> SessionPlace:
    """Where a new session happens: the loan's modality decides, the borrower's town
    hall when on site with no place given."""
    modality = record.loan.modality
    if remote is True and modality is Modality.ON_SITE:
        raise InvalidInputError(
            "Ce prêt est convenu sur place : la séance ne peut être à distance."
        )
    if remote is False and modality is Modality.REMOTE:
        raise InvalidInputError(
            "Ce prêt est convenu à distance : la séance ne peut être sur place."
        )
    if modality is Modality.REMOTE or (modality is Modality.EITHER and bool(remote)):
        return SessionPlace(remote=True, place_label=None)
    label = place_label or describe(record.loan.borrower).town_hall
    return SessionPlace(remote=False, place_label=label)


async def schedule(
    uow: LendingUnitOfWork,
    actor: Actor,
    loan_id: UUID,
    half_day: HalfDay,
    *,
    remote: bool | None = None,
    place_label: str | None = None,
    session_id: UUID | None = None,
) -> tuple[LoanRecord, UUID]:
    """Book a half-day; the agent is never booked twice. The loan and the new session's id."""
    new_id = session_id or uuid4()

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        booked = await uow.loans.agent_bookings(record.loan.agent_ref)
        outcome = session_rules.schedule_session(
            record.loan,
            offer,
            session_id=new_id,
            half_day=half_day,
            agent_bookings=booked,
            now=uow.now(),
        )
        places = {new_id: place_of(record, remote, place_label)}
        return Change(outcome.loan, outcome.events, places=places)

    record = await change_loan(uow, actor, loan_id, Command.SCHEDULE_SESSION, decide)
    return record, new_id


async def reschedule(
    uow: LendingUnitOfWork,
    actor: Actor,
    loan_id: UUID,
    session_id: UUID,
    half_day: HalfDay,
    reason: str | None = None,
) -> LoanRecord:
    """Move a coming session; it is to be confirmed again."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        booked = await uow.loans.agent_bookings(record.loan.agent_ref)
        outcome = session_rules.reschedule_session(
            record.loan,
            offer,
            session_id=session_id,
            half_day=half_day,
            agent_bookings=booked,
            now=uow.now(),
        )
        return Change(outcome.loan, outcome.events, note=reason)

    return await change_loan(uow, actor, loan_id, Command.RESCHEDULE_SESSION, decide)


async def confirm(
    uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, session_id: UUID
) -> LoanRecord:
    """The lender confirms the agent will come."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        outcome = session_rules.confirm_session(record.loan, session_id=session_id, now=uow.now())
        return Change(outcome.loan, outcome.events)

    return await change_loan(uow, actor, loan_id, Command.CONFIRM_SESSION, decide)


async def cancel(
    uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, session_id: UUID, reason: str
) -> LoanRecord:
    async def decide(record: LoanRecord, offer: Offer) -> Change:
        outcome = session_rules.cancel_session(
            record.loan, session_id=session_id, reason=reason, now=uow.now()
        )
        return Change(outcome.loan, outcome.events)

    return await change_loan(uow, actor, loan_id, Command.CANCEL_SESSION, decide)


async def record_held(
    uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, session_id: UUID
) -> LoanRecord:
    """The borrower declares the half-day held: its time moves in the hours ledger, from
    the lender to the borrower."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        outcome = session_rules.record_session_held(
            record.loan, session_id=session_id, transaction_id=uuid4(), now=uow.now()
        )
        return Change(outcome.loan, outcome.events, ledger=outcome.transaction)

    return await change_loan(uow, actor, loan_id, Command.RECORD_SESSION_HELD, decide)


async def complete(
    uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, answers: Mapping[str, Answer]
) -> LoanRecord:
    """End the loan with the borrower's feedback."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        outcome = rules.complete(record.loan, offer, borrower_feedback=answers, now=uow.now())
        return Change(outcome.loan, outcome.events)

    return await change_loan(uow, actor, loan_id, Command.COMPLETE_LOAN, decide)


_FEEDBACK_COMMANDS = {
    Respondent.BORROWER: Command.BORROWER_FEEDBACK,
    Respondent.LENDER: Command.LENDER_FEEDBACK,
    Respondent.AGENT: Command.AGENT_FEEDBACK,
}


async def give_feedback(
    uow: LendingUnitOfWork,
    actor: Actor,
    loan_id: UUID,
    respondent: Respondent,
    answers: Mapping[str, Answer],
) -> LoanRecord:
    """Answer the after-loan questionnaire (lender or agent)."""

    async def decide(record: LoanRecord, offer: Offer) -> Change:
        agent = record.people.agent
        if respondent is Respondent.AGENT and agent is not None and agent != actor.person_id:
            raise ForbiddenError("Seul l'agent mis à disposition répond à ce questionnaire.")
        outcome = rules.record_feedback(record.loan, respondent, answers, now=uow.now())
        return Change(outcome.loan, outcome.events)

    return await change_loan(uow, actor, loan_id, _FEEDBACK_COMMANDS[respondent], decide)
