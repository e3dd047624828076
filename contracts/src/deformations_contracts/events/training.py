"""Events published by the training service: enrolments, rebonds and their answers,
evaluations due.

They carry identifiers only (person, offer, collectivité), never names or contact
details: notifications resolves who to tell and how. Dated sessions of an offer go
through the ``session.*`` events with the kind ``training_session``.
"""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from deformations_contracts.base import EventData
from deformations_contracts.themes import ThemeCode
from deformations_contracts.types import Instant, PersonId, Siren


class TrainingFormat(StrEnum):
    HALF_DAY = "half_day"
    EVENING = "evening"
    E_LEARNING = "e_learning"
    CAFE = "cafe"
    VISIT = "visit"


class RebondKind(StrEnum):
    """What a trainer proposes after a module (« à la carte et plus si affinités »)."""

    MODULE = "module"
    CAFE = "cafe"
    PEER_GROUP = "peer_group"
    VISIT = "visit"


class RebondOccasion(StrEnum):
    DEBRIEF = "debrief"  # written by the trainer after the module
    ONE_YEAR_LATER = "one_year_later"  # the reminder a year after the module


class EvaluationKind(StrEnum):
    SATISFACTION = "satisfaction"  # after the sessions of an offer
    IMPACT_6_MONTHS = "impact_6_months"
    IMPACT_12_MONTHS = "impact_12_months"


class _EnrolmentEvent(EventData):
    producer: ClassVar[str] = "training"

    enrolment_id: UUID
    offer_id: UUID
    person_id: PersonId
    collectivite_siren: Siren | None = Field(
        default=None, description="The collectivité the élu enrolled for (its budget pays)."
    )
    body_siren: Siren = Field(description="The training body giving the offer.")
    theme: ThemeCode
    format: TrainingFormat
    group_id: UUID | None = Field(default=None, description="Set for an offre groupée.")

    def subject(self) -> str:
        return str(self.enrolment_id)


class EnrolmentConfirmed(_EnrolmentEvent):
    """An élu has a place in a training offer."""

    routing_key: ClassVar[str] = "enrolment.confirmed.v1"

    price_cents: int = Field(ge=0, description="Price per person, provisional for a group.")
    confirmed_at: Instant


class EnrolmentWaitlisted(_EnrolmentEvent):
    """The offer is full: the élu waits, at ``position`` (1 = next to get a place)."""

    routing_key: ClassVar[str] = "enrolment.waitlisted.v1"

    position: int = Field(ge=1)
    waitlisted_at: Instant


class EnrolmentPromoted(_EnrolmentEvent):
    """A place freed up: the first élu on the waitlist now has it."""

    routing_key: ClassVar[str] = "enrolment.promoted.v1"

    price_cents: int = Field(ge=0)
    promoted_at: Instant


class EnrolmentCancelled(_EnrolmentEvent):
    """An enrolment (confirmed or waitlisted) ended before the offer took place."""

    routing_key: ClassVar[str] = "enrolment.cancelled.v1"

    was_waitlisted: bool
    cancelled_at: Instant


class RebondProposed(EventData):
    """A made-to-measure rebond for an élu after a module, or its one-year reminder."""

    routing_key: ClassVar[str] = "rebond.proposed.v1"
    producer: ClassVar[str] = "training"

    rebond_id: UUID
    person_id: PersonId
    after_enrolment_id: UUID = Field(description="The module the rebond follows.")
    after_offer_id: UUID
    kind: RebondKind
    occasion: RebondOccasion
    offer_id: UUID | None = Field(default=None, description="The offer proposed, if any.")
    theme: ThemeCode
    trainer_id: PersonId | None = None
    proposed_at: Instant

    def subject(self) -> str:
        return str(self.rebond_id)


class RebondAnswered(EventData):
    """The élu took or left a rebond (taking a module rebond also enrols her in it)."""

    routing_key: ClassVar[str] = "rebond.answered.v1"
    producer: ClassVar[str] = "training"

    rebond_id: UUID
    person_id: PersonId
    after_offer_id: UUID = Field(description="The module the rebond follows.")
    kind: RebondKind
    offer_id: UUID | None = Field(default=None, description="The offer proposed, if any.")
    theme: ThemeCode
    taken: bool = Field(description="True: she took it; false: she left it.")
    enrolment_id: UUID | None = Field(
        default=None, description="Her enrolment in the proposed offer, when taking enrolled her."
    )
    answered_at: Instant

    def subject(self) -> str:
        return str(self.rebond_id)


class EvaluationDue(EventData):
    """An élu has a questionnaire to answer (satisfaction, impact at 6 or 12 months)."""

    routing_key: ClassVar[str] = "evaluation.due.v1"
    producer: ClassVar[str] = "training"

    evaluation_id: UUID
    person_id: PersonId
    enrolment_id: UUID
    offer_id: UUID
    session_id: UUID | None = Field(
        default=None, description="The session a satisfaction questionnaire is about."
    )
    kind: EvaluationKind
    theme: ThemeCode
    due_at: Instant
    reminder: bool = Field(
        default=False, description="Announced once already and still unanswered: a reminder."
    )

    def subject(self) -> str:
        return str(self.evaluation_id)


class EvaluationAnswered(EventData):
    """An élu answered a questionnaire: what the Région's statistics count of it, no more
    (no person, no free text; the collectivité places it on the map)."""

    routing_key: ClassVar[str] = "evaluation.answered.v1"
    producer: ClassVar[str] = "training"

    evaluation_id: UUID
    offer_id: UUID
    kind: EvaluationKind
    theme: ThemeCode
    format: TrainingFormat
    score: int = Field(
        ge=1, le=5, description="The answers' 1–5 notes, averaged and rounded (5: very good)."
    )
    collectivite_siren: Siren | None = Field(
        default=None, description="The collectivité the élu followed the offer for."
    )
    answered_at: Instant

    def subject(self) -> str:
        return str(self.evaluation_id)
