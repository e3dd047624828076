"""Events published by the lending service (skill offers, requests and loans)."""

from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator

from deformations_contracts.base import EventData
from deformations_contracts.themes import ThemeCode
from deformations_contracts.types import Instant, Modality, PersonId, Siren
from deformations_contracts.values import (
    AgentRole,
    CollectiviteRef,
    FreeText,
    Period,
    ShortText,
    ValueModel,
    WeekdayHalfDay,
)

# Upper bound of half-days in one offer, request or loan (a full year of half-days).
MAX_HALF_DAYS = 520


class SkillVisibility(StrEnum):
    """The booklet's "compétences visibles ou invisibles" (a job skill, or a hidden talent)."""

    VISIBLE = "visible"
    INVISIBLE = "invisible"


class ReimbursementBasis(StrEnum):
    """How the borrower pays back the lender for a mise à disposition."""

    SALARY_COSTS = "salary_costs"
    FLAT_RATE = "flat_rate"
    TIME_EXCHANGE = "time_exchange"
    FREE_OF_CHARGE = "free_of_charge"


class SkillOffered(EventData):
    """A collectivité offers a skill of one of its agents."""

    routing_key: ClassVar[str] = "skill.offered.v1"
    producer: ClassVar[str] = "lending"

    offer_id: UUID
    collectivite: CollectiviteRef
    theme: ThemeCode
    description: FreeText
    agent_role: AgentRole
    skill_visibility: SkillVisibility
    capacity_half_days: int = Field(ge=1, le=MAX_HALF_DAYS)
    period: Period
    possible_half_days: list[WeekdayHalfDay] = Field(min_length=1, max_length=14)
    modality: Modality
    reimbursement_basis: ReimbursementBasis
    offered_at: Instant

    def subject(self) -> str:
        return str(self.offer_id)


class SkillRequested(EventData):
    """A collectivité asks for a skill."""

    routing_key: ClassVar[str] = "skill.requested.v1"
    producer: ClassVar[str] = "lending"

    request_id: UUID
    collectivite: CollectiviteRef
    theme: ThemeCode
    need: FreeText
    period: Period
    half_days_wanted: int = Field(ge=1, le=MAX_HALF_DAYS)
    preferred_half_days: list[WeekdayHalfDay] = Field(default_factory=list, max_length=14)
    modality: Modality
    requested_at: Instant

    def subject(self) -> str:
        return str(self.request_id)


class OfferWithdrawn(EventData):
    """An offer is no longer available."""

    routing_key: ClassVar[str] = "offer.withdrawn.v1"
    producer: ClassVar[str] = "lending"

    offer_id: UUID
    collectivite_siren: Siren
    reason: ShortText | None = None
    withdrawn_at: Instant

    def subject(self) -> str:
        return str(self.offer_id)


class RequestWithdrawn(EventData):
    """A request is no longer open (met elsewhere, or given up)."""

    routing_key: ClassVar[str] = "request.withdrawn.v1"
    producer: ClassVar[str] = "lending"

    request_id: UUID
    collectivite_siren: Siren
    reason: ShortText | None = None
    withdrawn_at: Instant

    def subject(self) -> str:
        return str(self.request_id)


class LoanParty(StrEnum):
    LENDER = "lender"
    BORROWER = "borrower"
    AGENT = "agent"
    OPERATOR = "operator"


class LoanStage(StrEnum):
    """The states of a loan before its end."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    APPROVED = "approved"
    AGREED = "agreed"


class _LoanEvent(EventData):
    """Fields every loan event carries, so that each can be handled on its own."""

    loan_id: UUID
    offer_id: UUID
    request_id: UUID | None = None
    lender_siren: Siren
    borrower_siren: Siren
    agent_role: AgentRole
    theme: ThemeCode
    half_days_agreed: int = Field(ge=1, le=MAX_HALF_DAYS)

    @model_validator(mode="after")
    def _two_collectivites(self) -> Self:
        if self.lender_siren == self.borrower_siren:
            raise ValueError("a collectivité cannot lend to itself")
        return self

    def subject(self) -> str:
        return str(self.loan_id)


class LoanAgreed(_LoanEvent):
    """Both collectivités agreed a mise à disposition, with the agent's consent."""

    routing_key: ClassVar[str] = "loan.agreed.v1"
    producer: ClassVar[str] = "lending"

    proposal_id: UUID | None = None
    agent_person_id: PersonId
    period: Period
    modality: Modality
    reimbursement_basis: ReimbursementBasis
    agreed_at: Instant


class LoanAction(StrEnum):
    """What a person is asked to do on a loan (the portal's codes for these actions)."""

    ACCEPT = "accepter"
    APPROVE = "accord"
    AGENT_CONSENT = "accord-agent"
    CONFIRM_SESSION = "confirmer-seance"


class ActingRole(StrEnum):
    """The role, within the collectivité, of the people who may do the action."""

    ELECTED = "elected"
    HR = "hr"
    AGENT = "agent"


class LoanActionRequested(_LoanEvent):
    """A loan waits for a collectivité's people to act: the borrower to accept it, the
    lender's élu or RH to approve it, the agent named by the RH to consent, a side to
    confirm a proposed half-day.

    Lending knows the collectivités and the roles, not the people who hold them: the
    validated members of ``collectivite_siren`` holding one of ``roles`` are told (as
    ``membership.changed.v1`` said); the portal lets only the right role act. The agent's
    consent is personal: ``agent_person_id`` names the one person asked, and only them.
    """

    routing_key: ClassVar[str] = "loan.action_requested.v1"
    producer: ClassVar[str] = "lending"

    action: LoanAction
    party: LoanParty = Field(description="The side that must act: lender or borrower.")
    collectivite_siren: Siren
    roles: list[ActingRole] = Field(min_length=1, max_length=2)
    agent_person_id: PersonId | None = Field(
        default=None, description="The agent asked personally (their consent); else None."
    )
    session_id: UUID | None = Field(
        default=None, description="The proposed half-day to confirm; else None."
    )
    requested_at: Instant

    @model_validator(mode="after")
    def _a_side_of_the_loan(self) -> Self:
        side = {LoanParty.LENDER: self.lender_siren, LoanParty.BORROWER: self.borrower_siren}
        if side.get(self.party) != self.collectivite_siren:
            raise ValueError("the collectivité asked to act is not that side of the loan")
        return self


class FeedbackRating(ValueModel):
    """One party's feedback on a loan, on 1–5 scales."""

    respondent: LoanParty
    satisfaction: int = Field(ge=1, le=5)
    usefulness: int | None = Field(default=None, ge=1, le=5)
    would_renew: bool | None = None


class LoanCompleted(_LoanEvent):
    """A loan ended; the half-days used move from lender to borrower in the hours ledger."""

    routing_key: ClassVar[str] = "loan.completed.v1"
    producer: ClassVar[str] = "lending"

    agent_person_id: PersonId
    half_days_used: int = Field(ge=0, le=MAX_HALF_DAYS)
    feedback: list[FeedbackRating] = Field(default_factory=list, max_length=4)
    completed_at: Instant

    @model_validator(mode="after")
    def _within_agreement(self) -> Self:
        if self.half_days_used > self.half_days_agreed:
            raise ValueError("more half-days used than agreed")
        respondents = [rating.respondent for rating in self.feedback]
        if len(respondents) != len(set(respondents)):
            raise ValueError("one feedback per respondent")
        return self


class LoanCancelled(_LoanEvent):
    """A loan was declined or cancelled, at any stage, with a reason."""

    routing_key: ClassVar[str] = "loan.cancelled.v1"
    producer: ClassVar[str] = "lending"

    agent_person_id: PersonId | None = Field(
        default=None, description="Absent when no agent had consented yet."
    )
    stage: LoanStage
    cancelled_by: LoanParty
    reason: ShortText
    half_days_used: int = Field(default=0, ge=0, le=MAX_HALF_DAYS)
    cancelled_at: Instant

    @model_validator(mode="after")
    def _within_agreement(self) -> Self:
        if self.half_days_used > self.half_days_agreed:
            raise ValueError("more half-days used than agreed")
        return self
