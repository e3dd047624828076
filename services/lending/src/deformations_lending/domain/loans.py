"""The loan lifecycle, an explicit state machine.

    proposed ──accept──▶ accepted ──(elected + hr + agent consent)──▶ agreed
        │                   │                                           │
        └──decline/cancel───┴──decline/cancel              sessions, then complete
                                                                        │
                                                          cancel ◀──────┴──▶ completed

Every command takes the current state (and ``now``) and returns the new state with the
events to emit; a command that does not apply raises a ``DomainError`` saying why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_contracts.types import Modality
from deformations_contracts.values import HALF_DAY_MINUTES

from .calendar import HalfDay, Period, WeeklyHalfDay
from .errors import (
    AgentAlreadyBookedError,
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
    SessionCancelled,
    SessionConfirmed,
    SessionHeld,
    SessionRescheduled,
    SessionScheduled,
)
from .feedback import Answer, Respondent, validate_answers
from .ledger import LedgerTransaction, transfer
from .offers import Offer, OfferStatus, SkillRequest, mark_offer_withdrawn


class LoanStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    AGREED = "agreed"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


STATUS_LABELS: dict[LoanStatus, str] = {
    LoanStatus.PROPOSED: "proposé",
    LoanStatus.ACCEPTED: "accepté par la collectivité d'accueil",
    LoanStatus.AGREED: "convenu",
    LoanStatus.COMPLETED: "terminé",
    LoanStatus.DECLINED: "refusé",
    LoanStatus.CANCELLED: "annulé",
}

FINAL = frozenset({LoanStatus.COMPLETED, LoanStatus.DECLINED, LoanStatus.CANCELLED})


class Origin(StrEnum):
    MATCH = "match"  # from a match.proposed.v1
    BORROWER = "borrower"  # the borrower chose an offer


class Approval(StrEnum):
    ELECTED = "elected"
    HR = "hr"
    AGENT = "agent"


APPROVAL_LABELS: dict[Approval, str] = {
    Approval.ELECTED: "l'accord de l'élu ou de l'élue de la collectivité d'origine",
    Approval.HR: "la validation des ressources humaines de la collectivité d'origine",
    Approval.AGENT: "l'accord de l'agent",
}


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"  # planned, not yet confirmed by the lender
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"


ACTIVE_SESSION = frozenset({SessionStatus.SCHEDULED, SessionStatus.CONFIRMED, SessionStatus.HELD})
PENDING_SESSION = frozenset({SessionStatus.SCHEDULED, SessionStatus.CONFIRMED})


@dataclass(frozen=True, slots=True)
class Session:
    id: UUID
    half_day: HalfDay
    status: SessionStatus = SessionStatus.SCHEDULED
    ledger_transaction_id: UUID | None = None
    cancellation_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Loan:
    id: UUID
    offer_id: UUID
    lender: str  # SIREN
    borrower: str  # SIREN
    agent_ref: str
    agent_role: str
    theme: str
    scope: str
    half_days: int
    period: Period
    possible_half_days: frozenset[WeeklyHalfDay]
    modality: Modality
    origin: Origin
    proposed_at: datetime
    request_id: UUID | None = None
    match_id: UUID | None = None
    status: LoanStatus = LoanStatus.PROPOSED
    approvals: Mapping[Approval, datetime] = field(default_factory=dict)
    agreed_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    sessions: tuple[Session, ...] = ()
    feedback: Mapping[Respondent, Mapping[str, Answer]] = field(default_factory=dict)

    def session(self, session_id: UUID) -> Session:
        for s in self.sessions:
            if s.id == session_id:
                return s
        raise InvalidInputError("Cette séance n'appartient pas à ce prêt.")

    @property
    def missing_approvals(self) -> tuple[Approval, ...]:
        return tuple(a for a in Approval if a not in self.approvals)

    @property
    def active_half_days(self) -> int:
        return sum(1 for s in self.sessions if s.status in ACTIVE_SESSION)

    @property
    def held_half_days(self) -> int:
        return sum(1 for s in self.sessions if s.status is SessionStatus.HELD)

    def booked_half_days(self) -> frozenset[HalfDay]:
        return frozenset(s.half_day for s in self.sessions if s.status in ACTIVE_SESSION)


@dataclass(frozen=True, slots=True)
class LoanOutcome:
    loan: Loan
    events: tuple[DomainEvent, ...]


@dataclass(frozen=True, slots=True)
class LoanOfferOutcome:
    """For commands that change the offer's commitment too (same transaction)."""

    loan: Loan
    offer: Offer
    events: tuple[DomainEvent, ...]


@dataclass(frozen=True, slots=True)
class SessionHeldOutcome:
    loan: Loan
    transaction: LedgerTransaction
    events: tuple[DomainEvent, ...]


def _require(loan: Loan, allowed: Iterable[LoanStatus], action: str) -> None:
    allowed = frozenset(allowed)
    if loan.status not in allowed:
        raise InvalidTransitionError(
            f"Impossible de {action} : le prêt est {STATUS_LABELS[loan.status]}."
        )


def _reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInputError("Indiquez un motif.")
    return cleaned[:500]


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
    _require(loan, {LoanStatus.PROPOSED}, "accepter ce prêt")
    accepted = replace(loan, status=LoanStatus.ACCEPTED)
    return LoanOutcome(accepted, (LoanAccepted(occurred_at=now, loan_id=loan.id),))


def approve(loan: Loan, offer: Offer, approval: Approval, *, now: datetime) -> LoanOfferOutcome:
    """Records one of the lender's three conditions (elected official, HR, agent's consent).

    The last one agrees the loan and commits its half-days against the offer's capacity."""
    _require(loan, {LoanStatus.ACCEPTED}, "valider ce prêt")
    if offer.id != loan.offer_id:
        raise InvalidInputError("Cette offre n'est pas celle du prêt.")
    if approval in loan.approvals:
        raise InvalidTransitionError(f"Le prêt a déjà reçu {APPROVAL_LABELS[approval]}.")
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


def decline(loan: Loan, *, reason: str, now: datetime) -> LoanOutcome:
    """A refusal before agreement: the borrower, the lender or the agent says no."""
    _require(loan, {LoanStatus.PROPOSED, LoanStatus.ACCEPTED}, "refuser ce prêt")
    why = _reason(reason)
    declined = replace(loan, status=LoanStatus.DECLINED, ended_at=now, end_reason=why)
    return LoanOutcome(declined, (LoanDeclined(occurred_at=now, loan_id=loan.id, reason=why),))


def cancel(loan: Loan, offer: Offer, *, reason: str, now: datetime) -> LoanOfferOutcome:
    """Ends a loan that is not finished; its sessions not held are cancelled and the
    half-days it will not use go back to the offer."""
    _require(loan, {LoanStatus.PROPOSED, LoanStatus.ACCEPTED, LoanStatus.AGREED}, "annuler ce prêt")
    why = _reason(reason)
    events: list[DomainEvent] = []
    sessions = []
    for s in loan.sessions:
        if s.status in PENDING_SESSION:
            s, event = _cancelled(loan, s, why, now)
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


# Sessions ---------------------------------------------------------------------------------


def _check_half_day(
    loan: Loan, offer: Offer, half_day: HalfDay, agent_bookings: frozenset[HalfDay], now: datetime
) -> None:
    if offer.status is not OfferStatus.OPEN:
        raise InvalidTransitionError(
            "L'offre a été retirée : aucune nouvelle séance n'est possible."
        )
    if half_day.starts_at() <= now:
        raise InvalidInputError("Une séance se planifie dans le futur.")
    if not loan.period.contains(half_day.day):
        raise InvalidInputError(f"La séance doit avoir lieu {loan.period.label()}.")
    if half_day.weekly() not in loan.possible_half_days:
        possible = ", ".join(w.label() for w in sorted(loan.possible_half_days))
        raise InvalidInputError(
            f"L'agent n'est disponible que les demi-journées suivantes : {possible}."
        )
    if half_day in agent_bookings:
        raise AgentAlreadyBookedError(f"L'agent est déjà réservé le {half_day.label()}.")


def schedule_session(
    loan: Loan,
    offer: Offer,
    *,
    session_id: UUID,
    half_day: HalfDay,
    agent_bookings: frozenset[HalfDay],
    now: datetime,
) -> LoanOutcome:
    """Plans one half-day. ``agent_bookings``: every half-day the agent is already booked
    on, across all loans (the database enforces the same rule under concurrency)."""
    _require(loan, {LoanStatus.AGREED}, "planifier une séance")
    if loan.active_half_days >= loan.half_days:
        raise CapacityExceededError(
            f"Les {loan.half_days} demi-journée(s) convenues sont déjà toutes planifiées."
        )
    _check_half_day(loan, offer, half_day, agent_bookings | loan.booked_half_days(), now)
    session = Session(id=session_id, half_day=half_day)
    updated = replace(loan, sessions=(*loan.sessions, session))
    event = SessionScheduled(
        occurred_at=now, loan_id=loan.id, session_id=session_id, half_day=half_day
    )
    return LoanOutcome(updated, (event,))


def _replace_session(loan: Loan, session: Session) -> Loan:
    return replace(
        loan, sessions=tuple(session if s.id == session.id else s for s in loan.sessions)
    )


def reschedule_session(
    loan: Loan,
    offer: Offer,
    *,
    session_id: UUID,
    half_day: HalfDay,
    agent_bookings: frozenset[HalfDay],
    now: datetime,
) -> LoanOutcome:
    """Moves a session not yet held; it needs confirming again."""
    _require(loan, {LoanStatus.AGREED}, "déplacer une séance")
    session = loan.session(session_id)
    if session.status not in PENDING_SESSION:
        raise InvalidTransitionError("Seule une séance à venir peut être déplacée.")
    if session.half_day.starts_at() <= now:
        raise InvalidTransitionError("La séance a déjà commencé : elle ne peut plus être déplacée.")
    others = (agent_bookings | loan.booked_half_days()) - {session.half_day}
    _check_half_day(loan, offer, half_day, others, now)
    moved = replace(session, half_day=half_day, status=SessionStatus.SCHEDULED)
    event = SessionRescheduled(
        occurred_at=now,
        loan_id=loan.id,
        session_id=session_id,
        previous=session.half_day,
        half_day=half_day,
    )
    return LoanOutcome(_replace_session(loan, moved), (event,))


def confirm_session(loan: Loan, *, session_id: UUID, now: datetime) -> LoanOutcome:
    """The lender confirms the agent will come."""
    _require(loan, {LoanStatus.AGREED}, "confirmer une séance")
    session = loan.session(session_id)
    if session.status is not SessionStatus.SCHEDULED:
        raise InvalidTransitionError(
            "Seule une séance planifiée et non confirmée peut être confirmée."
        )
    confirmed = replace(session, status=SessionStatus.CONFIRMED)
    event = SessionConfirmed(occurred_at=now, loan_id=loan.id, session_id=session_id)
    return LoanOutcome(_replace_session(loan, confirmed), (event,))


def _cancelled(
    loan: Loan, session: Session, why: str, now: datetime
) -> tuple[Session, SessionCancelled]:
    """A session cancelled for ``why``, and the event that says so."""
    cancelled = replace(session, status=SessionStatus.CANCELLED, cancellation_reason=why)
    event = SessionCancelled(
        occurred_at=now,
        loan_id=loan.id,
        session_id=session.id,
        half_day=session.half_day,
        reason=why,
    )
    return cancelled, event


def cancel_session(loan: Loan, *, session_id: UUID, reason: str, now: datetime) -> LoanOutcome:
    _require(loan, {LoanStatus.AGREED}, "annuler une séance")
    session = loan.session(session_id)
    if session.status not in PENDING_SESSION:
        raise InvalidTransitionError("Seule une séance qui n'a pas eu lieu peut être annulée.")
    why = _reason(reason)
    cancelled, event = _cancelled(loan, session, why, now)
    return LoanOutcome(_replace_session(loan, cancelled), (event,))


def record_session_held(
    loan: Loan, *, session_id: UUID, transaction_id: UUID, now: datetime
) -> SessionHeldOutcome:
    """The half-day took place: its time moves from lender to borrower in the ledger."""
    _require(loan, {LoanStatus.AGREED}, "déclarer une séance effectuée")
    session = loan.session(session_id)
    if session.status not in PENDING_SESSION:
        raise InvalidTransitionError("Cette séance est annulée ou déjà déclarée effectuée.")
    if session.half_day.starts_at() > now:
        raise InvalidTransitionError("La séance n'a pas encore eu lieu.")
    txn = transfer(
        transaction_id=transaction_id,
        loan_id=loan.id,
        session_id=session_id,
        lender=loan.lender,
        borrower=loan.borrower,
        minutes=HALF_DAY_MINUTES,
        now=now,
    )
    held = replace(session, status=SessionStatus.HELD, ledger_transaction_id=transaction_id)
    event = SessionHeld(
        occurred_at=now, loan_id=loan.id, session_id=session_id, ledger_transaction_id=txn.id
    )
    return SessionHeldOutcome(_replace_session(loan, held), txn, (event,))


# Completion and feedback -------------------------------------------------------------------


def complete(
    loan: Loan, offer: Offer, *, borrower_feedback: Mapping[str, Answer], now: datetime
) -> LoanOfferOutcome:
    """Ends the loan with the borrower's feedback; unused half-days go back to the offer."""
    _require(loan, {LoanStatus.AGREED}, "terminer ce prêt")
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
    _require(loan, {LoanStatus.COMPLETED}, "donner un avis sur ce prêt")
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
                    s, event = _cancelled(loan, s, why, now)
                    events.append(event)
                sessions.append(s)
            if tuple(sessions) != loan.sessions:
                changed.append(replace(loan, sessions=tuple(sessions)))
    return WithdrawalOutcome(withdrawn, tuple(changed), tuple(events))
