"""The operators' content work recorded in their journal: questionnaire versions uploaded
and published (diagnosis keeps them), recipes of the catalogue edited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from deformations_contracts.catalogue.recipes import Catalogue, Recipe, load_catalogue
from deformations_portal.domain import recipes
from deformations_portal.domain.operator import JournalAction, JournalEntry
from deformations_portal.service.operator import require
from deformations_portal.service.uow import PortalUow


async def record_questionnaire(
    uow: PortalUow, actor: uuid.UUID, version: str, *, published: bool
) -> None:
    """One journal line for a version an operator uploaded or published."""
    await require(uow, actor)
    action = (
        JournalAction.QUESTIONNAIRE_PUBLISHED if published else JournalAction.QUESTIONNAIRE_UPLOADED
    )
    await uow.journal.add(JournalEntry(uow.now(), actor, action, f"questionnaire:{version}"))


async def catalogue(uow: PortalUow) -> Catalogue:
    """The booklet's catalogue with the operators' edits laid over it, as pages show it."""
    edits = await uow.recipe_edits.all()
    return recipes.overlay(load_catalogue(), {code: e.text for code, e in edits.items()})


@dataclass(frozen=True)
class EditableRecipe:
    recipe: Recipe  # as shown now, edits included
    thematique: int
    edited: bool


async def editable_recipes(uow: PortalUow, actor: uuid.UUID) -> list[EditableRecipe]:
    """The recipes phares an operator may rewrite, in the booklet's order."""
    await require(uow, actor)
    edits = await uow.recipe_edits.all()
    shown = recipes.overlay(load_catalogue(), {code: e.text for code, e in edits.items()})
    return [EditableRecipe(t.recipe, t.number, t.recipe.code in edits) for t in shown.thematiques]


async def editable_recipe(uow: PortalUow, actor: uuid.UUID, code: str) -> EditableRecipe:
    for found in await editable_recipes(uow, actor):
        if found.recipe.code == code:
            return found
    raise recipes.RecipeNotFound(
        "Cette recette n'existe pas (seules les recettes phares se modifient)."
    )


async def edit_recipe(
    uow: PortalUow, actor: uuid.UUID, code: str, text: recipes.RecipeText
) -> None:
    """Lay new texts over a recipe phare, journaled."""
    await editable_recipe(uow, actor, code)
    now = uow.now()
    await uow.recipe_edits.save(code, text, now)
    await uow.journal.add(JournalEntry(now, actor, JournalAction.RECIPE_EDITED, f"recette:{code}"))
