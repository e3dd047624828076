"""The operators' edits of the recipes catalogue: the 11 recipes phares, each with a form
for its title, summary, steps and « On sera content si… » (one per line). Problems are
told beside their field and change nothing; a saved edit shows on the public pages at
once and is journaled."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_portal.domain import recipes
from deformations_portal.domain.memberships import Membership
from deformations_portal.service import content
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.operator_access import action_refused, operator_of
from deformations_portal.web.pages import CsrfField

router = APIRouter(include_in_schema=False)

BASE = "/operateur/recettes"
Field = Annotated[str, Form()]


@router.get(BASE)
async def listing(page: PageDep, notice: str = "") -> Response:
    acting = operator_of(page)
    if not isinstance(acting, Membership):
        return acting
    async with page.runtime.begin(PortalUow) as uow:
        found = await content.editable_recipes(uow, acting.person_id)
    return page.render(
        "operator/recipes.html",
        "Opérateur : recettes",
        current="operateur",
        section="recettes",
        recipes=found,
        notice="La recette est enregistrée : les pages la montrent déjà." if notice else "",
    )


def _form(
    page: Page,
    found: content.EditableRecipe,
    given: dict[str, str],
    errors: dict[str, str] | None = None,
) -> Response:
    return page.render(
        "operator/recipe_form.html",
        f"Opérateur : recette {found.recipe.code}",
        status=422 if errors else 200,
        current="operateur",
        section="recettes",
        found=found,
        given=given,
        errors=errors or {},
    )


@router.get(BASE + "/{code}")
async def edit_form(page: PageDep, code: str) -> Response:
    acting = operator_of(page)
    if not isinstance(acting, Membership):
        return acting
    try:
        async with page.runtime.begin(PortalUow) as uow:
            found = await content.editable_recipe(uow, acting.person_id, code)
    except DomainError as error:
        return action_refused(page, error, BASE, "Revenir aux recettes")
    recipe = found.recipe
    given = {
        "titre": recipe.title,
        "resume": recipe.summary,
        "etapes": "\n".join(recipe.steps),
        "content": "\n".join(recipe.happy_if),
    }
    return _form(page, found, given)


@router.post(BASE + "/{code}")
async def save(
    page: PageDep,
    code: str,
    titre: Field = "",
    resume: Field = "",
    etapes: Field = "",
    content_: Annotated[str, Form(alias="content")] = "",
    csrf: CsrfField = None,
) -> Response:
    acting = operator_of(page)
    if not isinstance(acting, Membership):
        return acting
    given = {"titre": titre, "resume": resume, "etapes": etapes, "content": content_}
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            found = await content.editable_recipe(uow, acting.person_id, code)
            try:
                text = recipes.read_text(titre, resume, etapes, content_)
            except recipes.RecipeTextInvalid as invalid:
                return _form(page, found, given, invalid.errors)
            await content.edit_recipe(uow, acting.person_id, code, text)
    except DomainError as error:
        return action_refused(page, error, BASE, "Revenir aux recettes")
    return page.redirect(f"{BASE}?notice=enregistre")
