"""The half-day sessions of an agreed loan: schedule, move, confirm, cancel, declare held.

The agent is never booked twice (the database enforces the same rule under concurrency);
a half-day held moves its time from the lender to the borrower in the hours ledger.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from deformations_contracts.values import HALF_DAY_MINUTES

from .calendar import HalfDay
from .errors import (
    AgentAlreadyBookedError,
    CapacityExceededError,
    InvalidInputError,
    InvalidTransitionError,
)
from .events import (
    SessionConfirmed,
    SessionHeld,
    SessionRescheduled,
    SessionScheduled,
)
from .ledger import transfer
from .loan_model import (
    PENDING_SESSION,
    Loan,
    LoanOutcome,
    LoanStatus,
    Session,
    SessionHeldOutcome,
    SessionStatus,
    cancelled_session,
    given_reason,
    replace_session,
    require_status,
)
from .offers import Offer, OfferStatus


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
    require_status(loan, {LoanStatus.AGREED}, "planifier une séance")
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
    require_status(loan, {LoanStatus.AGREED}, "déplacer une séance")
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
    return LoanOutcome(replace_session(loan, moved), (event,))


def confirm_session(loan: Loan, *, session_id: UUID, now: datetime) -> LoanOutcome:
    """The lender confirms the agent will come."""
    require_status(loan, {LoanStatus.AGREED}, "confirmer une séance")
    session = loan.session(session_id)
    if session.status is not SessionStatus.SCHEDULED:
        raise InvalidTransitionError(
            "Seule une séance planifiée et non confirmée peut être confirmée."
        )
    confirmed = replace(session, status=SessionStatus.CONFIRMED)
    event = SessionConfirmed(occurred_at=now, loan_id=loan.id, session_id=session_id)
    return LoanOutcome(replace_session(loan, confirmed), (event,))


def cancel_session(loan: Loan, *, session_id: UUID, reason: str, now: datetime) -> LoanOutcome:
    require_status(loan, {LoanStatus.AGREED}, "annuler une séance")
    session = loan.session(session_id)
    if session.status not in PENDING_SESSION:
        raise InvalidTransitionError("Seule une séance qui n'a pas eu lieu peut être annulée.")
    why = given_reason(reason)
    cancelled, event = cancelled_session(loan, session, why, now)
    return LoanOutcome(replace_session(loan, cancelled), (event,))


def record_session_held(
    loan: Loan, *, session_id: UUID, transaction_id: UUID, now: datetime
) -> SessionHeldOutcome:
    """The half-day took place: its time moves from lender to borrower in the ledger."""
    require_status(loan, {LoanStatus.AGREED}, "déclarer une séance effectuée")
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
    return SessionHeldOutcome(replace_session(loan, held), txn, (event,))
