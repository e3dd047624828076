"""« Mon nom »: the prénom and nom a person gives herself, shown to her peers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_portal.domain.names import MAX_LENGTH, ChosenName
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page, PageDep

router = APIRouter(include_in_schema=False)

TITLE = "Mon nom"
NOTICES = {
    "enregistre": "Votre nom est enregistré : vos pairs le voient désormais.",
    "efface": "Votre nom est effacé : celui de votre fournisseur d'identité, s'il en donne un, "
    "est de nouveau affiché.",
}


def _form(
    page: Page,
    chosen: ChosenName | None,
    *,
    given: str | None = None,
    usual: str | None = None,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    return page.render(
        "my_name.html",
        TITLE,
        status=status,
        current="compte",
        given=chosen.given_name if given is None and chosen else (given or ""),
        usual=chosen.usual_name if usual is None and chosen else (usual or ""),
        max_length=MAX_LENGTH,
        shown=page.me.name if page.me else "",
        error=error,
        notice=NOTICES.get(notice, ""),
    )


@router.get("/compte/nom")
async def my_name(page: PageDep, notice: str = "") -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    async with page.runtime.begin(PortalUow) as uow:
        chosen = await uow.persons.chosen_name(page.me.person_id)
    return _form(page, chosen, notice=notice)


@router.post("/compte/nom")
async def choose_name(
    page: PageDep,
    prenom: Annotated[str, Form()] = "",
    nom: Annotated[str, Form()] = "",
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            chosen = await people.choose_name(uow, page.me.person_id, prenom, nom)
    except DomainError as error:
        # What she typed stays in the form, to be corrected rather than retyped.
        return _form(page, None, given=prenom, usual=nom, error=error.message, status=error.status)
    return page.redirect("/compte/nom?notice=" + ("enregistre" if chosen else "efface"))
