"""The individual result of a diagnosis: plain data, ready to store, publish or render."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from deformations_contracts.themes import Theme
from deformations_contracts.types import Modality, TimeSlot


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Clarity(StrEnum):
    """How clear-cut the placement in the nearest family is."""

    CLEAR = "clear"
    RATHER_CLEAR = "rather_clear"
    SHARED = "shared"


CLARITY_LABELS: dict[Clarity, str] = {
    Clarity.CLEAR: "placement net",
    Clarity.RATHER_CLEAR: "placement plutôt net",
    Clarity.SHARED: "placement partagé entre deux familles",
}


class FamilyDistance(_Frozen):
    family: str
    distance: float = Field(ge=0, le=100)


class Availability(_Frozen):
    minutes_per_month: int = Field(ge=0)
    slots: tuple[TimeSlot, ...]
    modality: Modality


class Situation(_Frozen):
    """Answers about the élu's situation, by role; ``None`` when not asked or not given."""

    mandate: str | None = None
    delegation: str | None = None
    profession: str | None = None
    first_mandate: bool | None = None


class NextStep(_Frozen):
    format_code: str
    title: str
    description: str
    recipe_code: str
    recipe_title: str
    reason: str


class IndividualResult(_Frozen):
    questionnaire_version: str
    axis_scores: dict[str, float] = Field(description="Axis code → score in [0, 100]")
    family: str
    second_family: str
    clarity_index: float = Field(ge=0, le=1, description="0 = equidistant, 1 = on the family")
    clarity: Clarity
    distances: tuple[FamilyDistance, ...] = Field(description="All families, nearest first")
    explanation: tuple[str, ...] = Field(description="Short French paragraphs")
    priority_themes: tuple[Theme, ...]
    availability: Availability
    situation: Situation
    next_step: NextStep
    alternatives: tuple[NextStep, ...]
