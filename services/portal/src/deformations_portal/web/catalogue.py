"""The booklet's catalogue as pages: the 11 thématiques and every recipe."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_contracts.catalogue.recipes import load_catalogue
from deformations_portal.web.context import PageDep, not_found

router = APIRouter(include_in_schema=False)


@router.get("/thematiques")
async def thematiques(page: PageDep) -> Response:
    return page.render(
        "themes.html", "Les 11 thématiques", current="thematiques", catalogue=load_catalogue()
    )


@router.get("/thematiques/{number}")
async def thematique(page: PageDep, number: int) -> Response:
    try:
        found = load_catalogue().thematique(number)
    except KeyError:
        return not_found(page)
    return page.render("theme.html", f"Thématique {number}", current="thematiques", t=found)


@router.get("/recettes/{code}")
async def recipe(page: PageDep, code: str) -> Response:
    catalogue = load_catalogue()
    try:
        found = catalogue.find(code)
    except KeyError:
        return not_found(page)
    number = int(code[1:3])
    return page.render(
        "recipe.html",
        found.title,
        current="thematiques",
        recipe=found,
        t=catalogue.thematique(number),
    )
