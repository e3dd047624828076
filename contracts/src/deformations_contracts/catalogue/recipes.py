"""The booklet's recipes as reference data: 11 thématiques, each with its recipe phare.

The data lives in ``recipes.json`` next to this module; the models below are its schema.
Services recommend next steps by recipe or idea code (``t03_cafe_formation``); codes are
stable, texts may be polished between catalogue versions.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# A recipe or idea code: ``t`` + two-digit thématique number + a slug.
# Same shape as event codes, so a recipe code travels as is in diagnosis.completed.v1.
RecipeCode = Annotated[str, StringConstraints(pattern=r"^t(0[1-9]|1[01])_[a-z0-9_]{2,35}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Chapter(_Frozen):
    number: int = Field(ge=1, le=4)
    title: str


class Idea(_Frozen):
    """One of the "D'autres idées de recettes à explorer !" of a thématique."""

    code: RecipeCode
    title: str
    description: str


class Recipe(_Frozen):
    """The recipe phare of a thématique."""

    code: RecipeCode
    title: str
    summary: str
    for_you_if: tuple[str, ...] = Field(
        description="« Cette recette est pour vous si vous souhaitez… »"
    )
    happy_if: tuple[str, ...] = Field(description="« On sera content si… »")
    ingredients: tuple[str, ...] = Field(description="« Les bons ingrédients »")
    duration: str = Field(description="« Mise en œuvre », as printed")
    duration_months: float = Field(gt=0, description="Upper bound of the duration, in months")
    difficulty: int = Field(ge=1, le=5, description="Number of stars printed")
    difficulty_as_printed: str
    steps: tuple[str, ...] = Field(description="« Les étapes »")
    test_partners: str = Field(description="Actors the booklet suggests to test the recipe with")


class Thematique(_Frozen):
    number: int = Field(ge=1, le=11)
    chapter: int = Field(ge=1, le=4)
    objective: str
    recipe: Recipe
    other_ideas: tuple[Idea, ...]


class Catalogue(_Frozen):
    source: str
    version: str
    notes: tuple[str, ...] = Field(default=(), description="Editorial notes on the transcription")
    chapters: tuple[Chapter, ...]
    thematiques: tuple[Thematique, ...]

    @model_validator(mode="after")
    def _codes_are_unique_and_numbered(self) -> Catalogue:
        numbers = [t.number for t in self.thematiques]
        if numbers != sorted(set(numbers)):
            raise ValueError("thématiques must be numbered once each, in order")
        seen: set[str] = set()
        for thematique in self.thematiques:
            prefix = f"t{thematique.number:02d}_"
            for code in (thematique.recipe.code, *(i.code for i in thematique.other_ideas)):
                if not code.startswith(prefix):
                    raise ValueError(f"{code} does not belong to thématique {thematique.number}")
                if code in seen:
                    raise ValueError(f"duplicate recipe code {code}")
                seen.add(code)
        return self

    def thematique(self, number: int) -> Thematique:
        for thematique in self.thematiques:
            if thematique.number == number:
                return thematique
        raise KeyError(number)

    def find(self, code: str) -> Recipe | Idea:
        """The recipe phare or idea with this code."""
        for thematique in self.thematiques:
            if thematique.recipe.code == code:
                return thematique.recipe
            for idea in thematique.other_ideas:
                if idea.code == code:
                    return idea
        raise KeyError(code)

    def title_of(self, code: str) -> str:
        return self.find(code).title


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with this package (parsed once)."""
    text = (
        resources.files("deformations_contracts.catalogue")
        .joinpath("recipes.json")
        .read_text(encoding="utf-8")
    )
    return Catalogue.model_validate(json.loads(text))


def catalogue_json_schema() -> dict[str, object]:
    return Catalogue.model_json_schema()
