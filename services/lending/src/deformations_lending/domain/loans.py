"""The loan lifecycle, an explicit state machine.

    proposed ──accept──▶ accepted ──(elected + hr naming the agent + agent consent)──▶ agreed
        │                   │                                                      │
        └──decline/cancel───┴──decline/cancel, the agent's refusal    sessions, then complete
                                                                                   │
                                                                     cancel ◀──────┴──▶ completed

The élu·e and the RH approve in any order; the agent consents, in person, once the RH
has named them (the RH's approval names the agent).

Every command takes the current state (and ``now``) and returns the new state with the
events to emit; a command that does not apply raises a ``DomainError`` saying why. The
sessions of an agreed loan are ``sessions``' commands; the values are in ``loan_model``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from deformations_contracts.types import Modality
from deformations_contracts.values import HALF_DAY_MINUTES

from .calendar import Period
from .errors import (
    CapacityExceededError,
    InvalidInputError,
    InvalidTransitionError,
)
from .events import (
    DomainEvent,
    FeedbackRecorded,
    LoanAccepted,
    LoanAgreed,
    LoanApprovalRecorded,
    LoanCancelled,
    LoanCompleted,
    LoanDeclined,
    LoanProposed,
)
from .feedback import Answer, Respondent, validate_answers
from .loan_model import (
    APPROVAL_LABELS,
    PENDING_SESSION,
    Approval,
    Loan,
    LoanOfferOutcome,
    LoanOutcome,
    LoanStatus,
    Origin,
    SessionStatus,
    cancelled_session,
    given_reason,
    require_status,
)
from .offers import Offer, OfferStatus, SkillRequest, mark_offer_withdrawn

# Proposal ---------------------------------------------------------------------------------


def propose_loan(
    *,
    loan_id: UUID,
    offer: Offer,
    borrower: str,
    half_days: int,
    period: Period,
    scope: str,
    modality: Modality,
    now: datetime,
    origin: Origin = Origin.BORROWER,
    request_id: UUID | None = None,
    match_id: UUID | None = None,
) -> LoanOutcome:
    """A borrower chooses an offer (or a match proposal is shown as a loan to accept)."""
    if offer.status is not OfferStatus.OPEN:
        raise InvalidTransitionError(
            "L'offre a été retirée : elle ne peut plus donner lieu à un prêt."
        )
    if offer.hidden:
        raise InvalidTransitionError(
            "L'offre est masquée par l'équipe de la plateforme : elle ne peut pas donner "
            "lieu à un prêt."
        )
    if borrower == offer.lender:
        raise InvalidInputError("Une collectivité ne peut pas emprunter son propre agent.")
    if half_days < 1:
        raise InvalidInputError("Le prêt doit porter sur au moins une demi-journée.")
    if half_days > offer.remaining_half_days:
        raise CapacityExceededError(
            f"L'offre n'a plus que {offer.remaining_half_days} demi-journée(s) disponible(s)."
        )
    if not offer.period.includes(period):
        raise InvalidInputError(
            f"La période demandée sort de celle de l'offre ({offer.period.label()})."
        )
    if period.end < now.date():
        raise InvalidInputError("La période demandée est déjà passée.")
    if not _modality_fits(offer.modality, modality):
        raise InvalidInputError(
            "Cette offre ne propose pas cette modalité (sur place ou à distance)."
        )
    scope_text = scope.strip()
    if not scope_text:
        raise InvalidInputError("Décrivez le périmètre de la mission.")
    loan = Loan(
        id=loan_id,
        offer_id=offer.id,
        lender=offer.lender,
        borrower=borrower,
        agent_ref=offer.agent_ref,
        agent_role=offer.agent_role,
        theme=offer.theme,
        scope=scope_text,
        half_days=half_days,
        period=period,
        possible_half_days=offer.possible_half_days,
        modality=modality if modality is not Modality.EITHER else offer.modality,
        origin=origin,
        proposed_at=now,
        request_id=request_id,
        match_id=match_id,
    )
    return LoanOutcome(loan, (LoanProposed(occurred_at=now, loan_id=loan_id, offer_id=offer.id),))


def propose_from_match(
    *, loan_id: UUID, match_id: UUID, offer: Offer, request: SkillRequest, now: datetime
) -> LoanOutcome:
    """Turns a need↔offer match into a proposal the borrower can accept."""
    if request.hidden:
        raise InvalidTransitionError(
            "La demande est masquée par l'équipe de la plateforme : elle ne peut pas donner "
            "lieu à un prêt."
        )
    start = max(offer.period.start, request.period.start, now.date())
    end = min(offer.period.end, request.period.end)
    if end < start:
        raise InvalidInputError("L'offre et la demande n'ont pas de période commune à venir.")
    return propose_loan(
        loan_id=loan_id,
        offer=offer,
        borrower=request.requester,
        half_days=min(request.half_days, offer.remaining_half_days) or request.half_days,
        period=Period(start, end),
        scope=request.need,
        modality=request.modality,
        now=now,
        origin=Origin.MATCH,
        request_id=request.id,
        match_id=match_id,
    )


def _modality_fits(offered: Modality, wanted: Modality) -> bool:
    return offered is Modality.EITHER or wanted is Modality.EITHER or offered is wanted


# Agreement --------------------------------------------------------------------------------


def accept(loan: Loan, *, now: datetime) -> LoanOutcome:
    """The borrower accepts the proposal."""
    require_status(loan, {LoanStatus.PROPOSED}, "accepter ce prêt")
    accepted = replace(loan, status=LoanStatus.ACCEPTED)
    return LoanOutcome(accepted, (LoanAccepted(occurred_at=now, loan_id=loan.id),))


def approve(loan: Loan, offer: Offer, approval: Approval, *, now: datetime) -> LoanOfferOutcome:
    """Records one of the lender's three conditions (elected official, HR, agent's consent).

    The last one agrees the loan and commits its half-days against the offer's capacity."""
    require_status(loan, {LoanStatus.ACCEPTED}, "valider ce prêt")
    if offer.id != loan.offer_id:
        raise InvalidInputError("Cette offre n'est pas celle du prêt.")
    if approval in loan.approvals:
        raise InvalidTransitionError(f"Le prêt a déjà reçu {APPROVAL_LABELS[approval]}.")
    if approval is Approval.AGENT:
        _require_named_agent(loan)
    approvals = {**loan.approvals, approval: now}
    events: list[DomainEvent] = [
        LoanApprovalRecorded(occurred_at=now, loan_id=loan.id, approval=approval.value)
    ]
    updated = replace(loan, approvals=approvals)
    if updated.missing_approvals:
        return LoanOfferOutcome(updated, offer, tuple(events))
    committed = offer.commit(loan.half_days)
    agreed = replace(updated, status=LoanStatus.AGREED, agreed_at=now)
    events.append(LoanAgreed(occurred_at=now, loan_id=loan.id, offer_id=offer.id))
    return LoanOfferOutcome(agreed, committed, tuple(events))


def _require_named_agent(loan: Loan) -> None:
    if Approval.HR not in loan.approvals:
        raise InvalidTransitionError(
            "L'agent répond une fois désigné par les ressources humaines de la collectivité "
            "d'origine, avec leur validation."
        )


def refuse_consent(loan: Loan, *, reason: str, now: datetime) -> LoanOutcome:
    """The agent named by the RH says no: the loan is declined with their reason."""
    require_status(loan, {LoanStatus.ACCEPTED}, "refuser ce prêt")
    _require_named_agent(loan)
    if Approval.AGENT in loan.approvals:
        raise InvalidTransitionError(
            "Vous avez déjà donné votre accord : seule l'annulation du prêt reste possible."
        )
    return decline(loan, reason=f"Refus de l'agent : {given_reason(reason)}", now=now)


def decline(loan: Loan, *, reason: str, now: datetime) -> LoanOutcome:
    """A refusal before agreement: the borrower, the lender or the agent says no."""
    require_status(loan, {LoanStatus.PROPOSED, LoanStatus.ACCEPTED}, "refuser ce prêt")
    why = given_reason(reason)
    declined = replace(loan, status=LoanStatus.DECLINED, ended_at=now, end_reason=why)
    return LoanOutcome(declined, (LoanDeclined(occurred_at=now, loan_id=loan.id, reason=why),))


def cancel(loan: Loan, offer: Offer, *, reason: str, now: datetime) -> LoanOfferOutcome:
    """Ends a loan that is not finished; its sessions not held are cancelled and the
    half-days it will not use go back to the offer."""
    require_status(
        loan, {LoanStatus.PROPOSED, LoanStatus.ACCEPTED, LoanStatus.AGREED}, "annuler ce prêt"
    )
    why = given_reason(reason)
    events: list[DomainEvent] = []
    sessions = []
    for s in loan.sessions:
        if s.status in PENDING_SESSION:
            s, event = cancelled_session(loan, s, why, now)
            events.append(event)
        sessions.append(s)
    released = offer
    if loan.status is LoanStatus.AGREED:
        released = offer.release(loan.half_days - loan.held_half_days)
    cancelled = replace(
        loan, status=LoanStatus.CANCELLED, ended_at=now, end_reason=why, sessions=tuple(sessions)
    )
    events.append(LoanCancelled(occurred_at=now, loan_id=loan.id, reason=why))
    return LoanOfferOutcome(cancelled, released, tuple(events))


# Completion and feedback -------------------------------------------------------------------


def complete(
    loan: Loan, offer: Offer, *, borrower_feedback: Mapping[str, Answer], now: datetime
) -> LoanOfferOutcome:
    """Ends the loan with the borrower's feedback; unused half-days go back to the offer."""
    require_status(loan, {LoanStatus.AGREED}, "terminer ce prêt")
    pending = sum(1 for s in loan.sessions if s.status in PENDING_SESSION)
    if pending:
        raise InvalidTransitionError(
            f"{pending} séance(s) restent à déclarer effectuées ou à annuler avant de terminer."
        )
    held = loan.held_half_days
    if held == 0:
        raise InvalidTransitionError(
            "Aucune séance n'a eu lieu : annulez le prêt plutôt que de le terminer."
        )
    answers = validate_answers(Respondent.BORROWER, borrower_feedback)
    completed = replace(
        loan,
        status=LoanStatus.COMPLETED,
        ended_at=now,
        feedback={**loan.feedback, Respondent.BORROWER: answers},
    )
    events: tuple[DomainEvent, ...] = (
        FeedbackRecorded(occurred_at=now, loan_id=loan.id, respondent=Respondent.BORROWER.value),
        LoanCompleted(
            occurred_at=now,
            loan_id=loan.id,
            half_days_held=held,
            minutes_held=held * HALF_DAY_MINUTES,
        ),
    )
    return LoanOfferOutcome(completed, offer.release(loan.half_days - held), events)


def record_feedback(
    loan: Loan, respondent: Respondent, answers: Mapping[str, Answer], *, now: datetime
) -> LoanOutcome:
    """The lender's and the agent's questionnaires, once each, after completion."""
    require_status(loan, {LoanStatus.COMPLETED}, "donner un avis sur ce prêt")
    if respondent in loan.feedback:
        raise InvalidTransitionError("Ce questionnaire a déjà été rempli pour ce prêt.")
    cleaned = validate_answers(respondent, answers)
    updated = replace(loan, feedback={**loan.feedback, respondent: cleaned})
    event = FeedbackRecorded(occurred_at=now, loan_id=loan.id, respondent=respondent.value)
    return LoanOutcome(updated, (event,))


# Offer withdrawal ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WithdrawalOutcome:
    offer: Offer
    loans: tuple[Loan, ...]  # only the loans that changed
    events: tuple[DomainEvent, ...]


def withdraw_offer(
    offer: Offer, loans: Iterable[Loan], *, reason: str, now: datetime
) -> WithdrawalOutcome:
    """Withdraws an offer: loans not yet agreed are cancelled, agreed loans lose their
    future unconfirmed sessions (confirmed ones are kept: the agent was promised)."""
    withdrawn, withdrawn_event = mark_offer_withdrawn(offer, reason=reason, now=now)
    why = f"Offre retirée : {withdrawn.withdrawal_reason}"
    events: list[DomainEvent] = [withdrawn_event]
    changed: list[Loan] = []
    for loan in loans:
        if loan.offer_id != offer.id:
            continue
        if loan.status in {LoanStatus.PROPOSED, LoanStatus.ACCEPTED}:
            ended = replace(loan, status=LoanStatus.CANCELLED, ended_at=now, end_reason=why)
            changed.append(ended)
            events.append(LoanCancelled(occurred_at=now, loan_id=loan.id, reason=why))
        elif loan.status is LoanStatus.AGREED:
            sessions = []
            for s in loan.sessions:
                if s.status is SessionStatus.SCHEDULED and s.half_day.starts_at() > now:
                    s, event = cancelled_session(loan, s, why, now)
                    events.append(event)
                sessions.append(s)
            if tuple(sessions) != loan.sessions:
                changed.append(replace(loan, sessions=tuple(sessions)))
    return WithdrawalOutcome(withdrawn, tuple(changed), tuple(events))
