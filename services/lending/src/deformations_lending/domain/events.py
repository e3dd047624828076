"""Domain events returned by commands.

Events whose ``routing_key`` is set map one to one to a contract of the event catalogue
(the service layer builds the contract model and writes it to the outbox in the same
transaction as the new state). Events with ``routing_key = None`` stay inside the service
(audit, notifications of the parties through later contracts). Events carry identifiers
and the agent's role, never a person's name or contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from deformations_contracts.events import lending, moderation, sessions

from .calendar import HalfDay


@dataclass(frozen=True, slots=True)
class DomainEvent:
    routing_key: ClassVar[str | None] = None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class OfferPublished(DomainEvent):
    routing_key: ClassVar[str | None] = lending.SkillOffered.routing_key
    offer_id: UUID


@dataclass(frozen=True, slots=True)
class OfferWithdrawn(DomainEvent):
    routing_key: ClassVar[str | None] = lending.OfferWithdrawn.routing_key
    offer_id: UUID
    reason: str


@dataclass(frozen=True, slots=True)
class RequestPublished(DomainEvent):
    routing_key: ClassVar[str | None] = lending.SkillRequested.routing_key
    request_id: UUID


@dataclass(frozen=True, slots=True)
class RequestWithdrawn(DomainEvent):
    routing_key: ClassVar[str | None] = lending.RequestWithdrawn.routing_key
    request_id: UUID
    reason: str


@dataclass(frozen=True, slots=True)
class TextHidden(DomainEvent):
    """An operator hid an offer or a request (``content_id``) with a reason."""

    routing_key: ClassVar[str | None] = moderation.ContentHidden.routing_key
    content_id: UUID
    reason: str


@dataclass(frozen=True, slots=True)
class TextShown(DomainEvent):
    routing_key: ClassVar[str | None] = moderation.ContentShown.routing_key
    content_id: UUID


@dataclass(frozen=True, slots=True)
class LoanProposed(DomainEvent):
    """Announced as who must act next (the borrower's acceptance), not as itself."""

    routing_key: ClassVar[str | None] = lending.LoanActionRequested.routing_key
    loan_id: UUID
    offer_id: UUID


@dataclass(frozen=True, slots=True)
class LoanAccepted(DomainEvent):
    """Announced as who must act next (the lender's approvals and the agent's consent)."""

    routing_key: ClassVar[str | None] = lending.LoanActionRequested.routing_key
    loan_id: UUID


@dataclass(frozen=True, slots=True)
class LoanApprovalRecorded(DomainEvent):
    """One of the lender's three conditions is met: ``elected``, ``hr`` or ``agent``."""

    loan_id: UUID
    approval: str


@dataclass(frozen=True, slots=True)
class LoanAgreed(DomainEvent):
    routing_key: ClassVar[str | None] = lending.LoanAgreed.routing_key
    loan_id: UUID
    offer_id: UUID


@dataclass(frozen=True, slots=True)
class LoanDeclined(DomainEvent):
    """Refused before agreement; published as ``loan.cancelled.v1`` with the reason."""

    routing_key: ClassVar[str | None] = lending.LoanCancelled.routing_key
    loan_id: UUID
    reason: str


@dataclass(frozen=True, slots=True)
class LoanCancelled(DomainEvent):
    routing_key: ClassVar[str | None] = lending.LoanCancelled.routing_key
    loan_id: UUID
    reason: str


@dataclass(frozen=True, slots=True)
class LoanCompleted(DomainEvent):
    routing_key: ClassVar[str | None] = lending.LoanCompleted.routing_key
    loan_id: UUID
    half_days_held: int
    minutes_held: int


@dataclass(frozen=True, slots=True)
class SessionScheduled(DomainEvent):
    routing_key: ClassVar[str | None] = sessions.SessionScheduled.routing_key
    loan_id: UUID
    session_id: UUID
    half_day: HalfDay


@dataclass(frozen=True, slots=True)
class SessionRescheduled(DomainEvent):
    routing_key: ClassVar[str | None] = sessions.SessionRescheduled.routing_key
    loan_id: UUID
    session_id: UUID
    previous: HalfDay
    half_day: HalfDay


@dataclass(frozen=True, slots=True)
class SessionCancelled(DomainEvent):
    routing_key: ClassVar[str | None] = sessions.SessionCancelled.routing_key
    loan_id: UUID
    session_id: UUID
    half_day: HalfDay
    reason: str


@dataclass(frozen=True, slots=True)
class SessionConfirmed(DomainEvent):
    loan_id: UUID
    session_id: UUID


@dataclass(frozen=True, slots=True)
class SessionHeld(DomainEvent):
    """A half-day took place; the ledger moves its time from lender to borrower."""

    loan_id: UUID
    session_id: UUID
    ledger_transaction_id: UUID


@dataclass(frozen=True, slots=True)
class FeedbackRecorded(DomainEvent):
    loan_id: UUID
    respondent: str
