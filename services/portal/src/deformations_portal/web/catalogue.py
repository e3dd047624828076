"""The booklet's catalogue as pages: the 11 thématiques and every recipe, with the texts
operators rewrote laid over the booklet's (``service.content``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_contracts.catalogue.recipes import Catalogue
from deformations_portal.service import content
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page, PageDep, not_found

router = APIRouter(include_in_schema=False)


async def shown_catalogue(page: Page) -> Catalogue:
    """The catalogue as every page shows it: the operators' edits over the booklet."""
    async with page.runtime.begin(PortalUow) as uow:
        return await content.catalogue(uow)


@router.get("/thematiques")
async def thematiques(page: PageDep) -> Response:
    return page.render(
        "themes.html",
        "Les 11 thématiques",
        current="thematiques",
        catalogue=await shown_catalogue(page),
    )


@router.get("/thematiques/{number}")
async def thematique(page: PageDep, number: int) -> Response:
    try:
        found = (await shown_catalogue(page)).thematique(number)
    except KeyError:
        return not_found(page)
    return page.render("theme.html", f"Thématique {number}", current="thematiques", t=found)


@router.get("/recettes/{code}")
async def recipe(page: PageDep, code: str) -> Response:
    catalogue = await shown_catalogue(page)
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
