"""How each recipe of the booklet runs as a programme: its steps, or the tool that runs it.

The data lives in ``programmes.json`` next to this module and its JSON Schema in
``programmes.schema.json``; the models below are that schema. A recipe that already has a
tool on the platform (the quiz, the cafés, the peer groups, the lending, the à la carte
cycle) links to it instead of carrying steps of its own, so the two never drift apart.
Step texts follow « Les étapes », participants « Les bons ingrédients » and the closing
criteria « On sera content si… »; the « d'autres idées » have no such sections in the
booklet, so their steps are derived from the idea's description (``derived`` is true).
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from deformations_contracts.catalogue.recipes import RecipeCode, load_catalogue

StepKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Text = Annotated[str, StringConstraints(min_length=3, max_length=600)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tool(StrEnum):
    """The platform's tools that already run a recipe."""

    QUIZ = "quiz"
    CAFES = "cafes"
    PEER_GROUPS = "peer_groups"
    LENDING = "lending"
    CYCLE_A_LA_CARTE = "cycle_a_la_carte"


class ToolLink(_Frozen):
    tool: Tool
    service: str = Field(pattern=r"^[a-z]+$", description="The service that runs the tool")
    note: Text = Field(description="French sentence shown where the recipe is listed")


class ProgrammeStep(_Frozen):
    key: StepKey
    title: Text = Field(description="French title of the step")
    produces: tuple[Text, ...] = Field(min_length=1, description="What the step produces")
    duration_days: int = Field(ge=1, le=200, description="Typical duration of the step")
    participants: tuple[Text, ...] = Field(min_length=1, description="Who takes part")
    done_when: tuple[Text, ...] = Field(
        min_length=1, description="How the facilitator knows the step is done"
    )
    with_session: bool = Field(description="Whether the step is held as dated sessions")


class RecipeProgramme(_Frozen):
    code: RecipeCode
    facilitator: Text = Field(description="Who leads the programme (coach, animateur…)")
    derived: bool = Field(
        default=False, description="Steps derived from an idea's description, not printed"
    )
    steps: tuple[ProgrammeStep, ...] = ()
    happy_if: tuple[Text, ...] = Field(
        default=(), description="« On sera content si… »: the closing review's criteria"
    )
    tool: ToolLink | None = None

    @model_validator(mode="after")
    def _steps_or_tool(self) -> RecipeProgramme:
        if self.tool is not None:
            if self.steps:
                raise ValueError(f"{self.code} links to a tool: it has no steps of its own")
            return self
        if not self.steps or not self.happy_if:
            raise ValueError(f"{self.code} needs steps and closing criteria, or a tool")
        keys = [s.key for s in self.steps]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.code}: step keys are unique")
        return self

    @property
    def duration_days(self) -> int:
        return sum(s.duration_days for s in self.steps)

    def step(self, key: str) -> ProgrammeStep:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


class ProgrammeCatalogue(_Frozen):
    version: str
    programmes: tuple[RecipeProgramme, ...]

    @model_validator(mode="after")
    def _known_and_unique(self) -> ProgrammeCatalogue:
        codes = [p.code for p in self.programmes]
        if len(set(codes)) != len(codes):
            raise ValueError("a recipe has one programme")
        catalogue = load_catalogue()
        for code in codes:
            try:
                catalogue.find(code)
            except KeyError:
                raise ValueError(f"{code} is not a recipe of the booklet") from None
        return self

    def find(self, code: str) -> RecipeProgramme:
        for programme in self.programmes:
            if programme.code == code:
                return programme
        raise KeyError(code)

    def runnable(self) -> tuple[RecipeProgramme, ...]:
        """The recipes the programme engine runs (the others link to their tool)."""
        return tuple(p for p in self.programmes if p.tool is None)


@cache
def load_programmes() -> ProgrammeCatalogue:
    text = (
        resources.files("deformations_contracts.catalogue")
        .joinpath("programmes.json")
        .read_text(encoding="utf-8")
    )
    return ProgrammeCatalogue.model_validate(json.loads(text))


def programmes_json_schema() -> dict[str, object]:
    return ProgrammeCatalogue.model_json_schema()
