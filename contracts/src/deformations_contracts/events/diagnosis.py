"""Events published by the diagnosis service (the self-diagnosis quiz)."""

from enum import StrEnum
from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from deformations_contracts.base import EventData
from deformations_contracts.themes import ThemeCode
from deformations_contracts.types import InseeCode, Instant, Modality, PersonId, Siren, TimeSlot
from deformations_contracts.values import Code, ShortText, ValueModel

# Version of the questionnaire a response answered, e.g. "2026.1".
QuestionnaireVersion = Annotated[
    str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
]

# An axis score, normalised to 0–100.
AxisScore = Annotated[float, Field(ge=0, le=100)]

# Diagnosis results are published for a team only from this many shared responses,
# so that nobody can be singled out.
MIN_TEAM_RESPONSES = 3


class Availability(ValueModel):
    """When and how an élu can train."""

    time_slots: list[TimeSlot] = Field(default_factory=list, max_length=6)
    modality: Modality
    half_days_per_month: int = Field(ge=0, le=20)


class NextStep(ValueModel):
    """A recommended next step: a recipe of the booklet in a format fitted to the time available."""

    recipe_code: Code
    format: Code
    label: ShortText


class DiagnosisCompleted(EventData):
    """An élu finished the quiz.

    Anonymous responses carry no ``person_id``; a response given through a campaign
    carries the campaign and, when known, the collectivité.
    """

    routing_key: ClassVar[str] = "diagnosis.completed.v1"
    producer: ClassVar[str] = "diagnosis"

    response_id: UUID
    questionnaire_version: QuestionnaireVersion
    person_id: PersonId | None = None
    campaign_id: UUID | None = None
    collectivite_siren: Siren | None = None
    commune_insee: InseeCode | None = None
    family: Code
    family_label: ShortText | None = Field(
        default=None, description="French name of the family, e.g. « Les solidaires de terrain »."
    )
    second_family: Code | None = None
    clear_cut: float = Field(ge=0, le=1, description="How clearly the élu sits in the family.")
    axis_scores: dict[Code, AxisScore] = Field(min_length=1, max_length=20)
    priority_themes: list[ThemeCode] = Field(default_factory=list, max_length=5)
    availability: Availability
    next_steps: list[NextStep] = Field(min_length=1, max_length=5)
    shared_with_team: bool = False
    completed_at: Instant

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.second_family is not None and self.second_family == self.family:
            raise ValueError("second_family must differ from family")
        if self.shared_with_team and self.campaign_id is None:
            raise ValueError("a result can be shared with a team only within a campaign")
        return self

    def subject(self) -> str:
        return str(self.response_id)


class TeamKind(StrEnum):
    MUNICIPAL_COUNCIL = "municipal_council"
    INTERCOMMUNALITY = "intercommunality"


class AxisStatistics(ValueModel):
    """Mean and spread (standard deviation) of one axis over a team."""

    mean: AxisScore
    spread: AxisScore


class DiagnosisTeamUpdated(EventData):
    """The collective result of a campaign's team changed (published from 3 shared responses)."""

    routing_key: ClassVar[str] = "diagnosis.team_updated.v1"
    producer: ClassVar[str] = "diagnosis"

    campaign_id: UUID
    team_kind: TeamKind
    collectivite_siren: Siren = Field(description="The commune or the EPCI of the team.")
    commune_insee: InseeCode | None = None
    team_label: ShortText | None = Field(
        default=None, description="French name of the team, e.g. « Conseil municipal de Crest »."
    )
    member_sirens: list[Siren] = Field(
        default_factory=list,
        max_length=300,
        description="Member communes of an intercommunality team.",
    )
    questionnaire_version: QuestionnaireVersion
    response_count: int = Field(ge=MIN_TEAM_RESPONSES)
    family_distribution: dict[Code, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="People per family, for the families of at least 3 people only: a "
        "smaller one is left out so that nobody is singled out (empty when every family of "
        "the team is smaller).",
    )
    axis_statistics: dict[Code, AxisStatistics] = Field(min_length=1, max_length=20)
    divergent_axes: list[Code] = Field(default_factory=list, max_length=20)
    shared_priority_themes: list[ThemeCode] = Field(default_factory=list, max_length=10)
    updated_at: Instant

    @model_validator(mode="after")
    def _counts(self) -> Self:
        if sum(self.family_distribution.values()) > self.response_count:
            raise ValueError("family_distribution counts more responses than response_count")
        if self.team_kind is TeamKind.MUNICIPAL_COUNCIL and self.member_sirens:
            raise ValueError("a municipal council team has no member communes")
        return self

    def subject(self) -> str:
        return str(self.campaign_id)
