"""Operators' edits of the booklet's recipes: texts laid over the shipped catalogue.

The catalogue (``deformations_contracts.catalogue``) ships the booklet's transcription and
stays the reference; an operator may rewrite a recipe phare's title, summary, steps and
« On sera content si… ». The pages show the catalogue with the edits laid over it; codes,
thématiques and everything else stay the booklet's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from deformations_common.vocabulary.errors import InvalidInput, NotFoundError
from deformations_contracts.catalogue.recipes import Catalogue, Recipe

TITLE_MAX = 200
SUMMARY_MAX = 2000
LINE_MAX = 1000
STEPS_MAX = 20
HAPPY_MAX = 10


@dataclass(frozen=True, slots=True)
class RecipeText:
    """The editable texts of a recipe phare."""

    title: str
    summary: str
    steps: tuple[str, ...]
    happy_if: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecipeEdit:
    code: str
    text: RecipeText
    edited_at: datetime | None = None


class RecipeNotFound(NotFoundError):
    code = "recipe_not_found"


class RecipeTextInvalid(InvalidInput):
    """Some fields of the form break a rule: a French message per field."""

    code = "recipe_text_invalid"

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("Certains champs sont à revoir.", errors=dict(errors))
        self.errors = dict(errors)


def text_of(recipe: Recipe) -> RecipeText:
    return RecipeText(recipe.title, recipe.summary, recipe.steps, recipe.happy_if)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(" ".join(line.split()) for line in text.splitlines() if line.strip())


def read_text(title: str, summary: str, steps: str, happy_if: str) -> RecipeText:
    """The texts of the form (steps and criteria one per line), or every field's problem."""
    errors: dict[str, str] = {}
    clean_title = " ".join(title.split())
    clean_summary = " ".join(summary.split())
    step_lines, happy_lines = _lines(steps), _lines(happy_if)
    if not clean_title:
        errors["titre"] = "Donnez un titre à la recette."
    elif len(clean_title) > TITLE_MAX:
        errors["titre"] = f"Le titre tient en {TITLE_MAX} caractères au plus."
    if not clean_summary:
        errors["resume"] = "Résumez la recette en quelques phrases."
    elif len(clean_summary) > SUMMARY_MAX:
        errors["resume"] = f"Le résumé tient en {SUMMARY_MAX} caractères au plus."
    if not step_lines:
        errors["etapes"] = "Donnez au moins une étape, une par ligne."
    elif len(step_lines) > STEPS_MAX:
        errors["etapes"] = f"Une recette a au plus {STEPS_MAX} étapes."
    elif any(len(line) > LINE_MAX for line in step_lines):
        errors["etapes"] = f"Chaque étape tient en {LINE_MAX} caractères au plus."
    if not happy_lines:
        errors["content"] = "Donnez au moins un critère, un par ligne."
    elif len(happy_lines) > HAPPY_MAX:
        errors["content"] = f"Gardez au plus {HAPPY_MAX} critères."
    elif any(len(line) > LINE_MAX for line in happy_lines):
        errors["content"] = f"Chaque critère tient en {LINE_MAX} caractères au plus."
    if errors:
        raise RecipeTextInvalid(errors)
    return RecipeText(clean_title, clean_summary, step_lines, happy_lines)


def apply(recipe: Recipe, text: RecipeText) -> Recipe:
    return recipe.model_copy(
        update={
            "title": text.title,
            "summary": text.summary,
            "steps": text.steps,
            "happy_if": text.happy_if,
        }
    )


def overlay(catalogue: Catalogue, edits: Mapping[str, RecipeText]) -> Catalogue:
    """The catalogue as the pages show it: each edited recipe phare with its new texts
    (an edit of a code the catalogue no longer has is ignored)."""
    if not edits:
        return catalogue
    thematiques = tuple(
        t.model_copy(update={"recipe": apply(t.recipe, edits[t.recipe.code])})
        if t.recipe.code in edits
        else t
        for t in catalogue.thematiques
    )
    return catalogue.model_copy(update={"thematiques": thematiques})
