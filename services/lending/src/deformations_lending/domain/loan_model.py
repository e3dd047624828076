"""A loan and its sessions as values: states, labels, the records commands return, and
the small rules every command shares (see ``loans`` for the state machine)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_contracts.types import Modality

from .calendar import HalfDay, Period, WeeklyHalfDay
from .errors import (
    InvalidInputError,
    InvalidTransitionError,
)
from .events import (
    DomainEvent,
    SessionCancelled,
)
from .feedback import Answer, Respondent
from .ledger import LedgerTransaction
from .offers import Offer


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


def require_status(loan: Loan, allowed: Iterable[LoanStatus], action: str) -> None:
    allowed = frozenset(allowed)
    if loan.status not in allowed:
        raise InvalidTransitionError(
            f"Impossible de {action} : le prêt est {STATUS_LABELS[loan.status]}."
        )


def given_reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInputError("Indiquez un motif.")
    return cleaned[:500]


def replace_session(loan: Loan, session: Session) -> Loan:
    return replace(
        loan, sessions=tuple(session if s.id == session.id else s for s in loan.sessions)
    )


def cancelled_session(
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
