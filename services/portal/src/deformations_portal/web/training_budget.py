"""The training budget of a collectivité, for its RH or secrétaire: voted, spent, the
legal floor, each élu's standing, and the pointer to the DIF élus (computed nowhere)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.french import as_paris
from deformations_common.vocabulary.roles import Role
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page, PageDep, acting_as, failed
from deformations_portal.web.training import cents_of, euros, training_client

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str | None, Form()]


def _year(page: Page, annee: str) -> int:
    if not annee:
        return as_paris(page.runtime.clock()).year
    if not annee.isdigit() or not 2000 <= int(annee) <= 2100:
        raise InvalidInput("Indiquez une année sur quatre chiffres, par exemple 2026.")
    return int(annee)


def _not_allowed(page: Page) -> Response:
    return page.message(
        "Budget de formation des élus",
        "Cette page est réservée au service RH ou au secrétariat de la collectivité : "
        "choisissez cette adhésion dans « Mes collectivités ».",
        status=403,
        error=True,
        link={"href": "/adhesions", "text": "Mes collectivités"},
    )


async def _names(page: Page, statement: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    async with page.runtime.begin(PortalUow) as uow:
        for e in statement["elected"]:
            try:
                names[e["person_id"]] = await people.display_name(uow, uuid.UUID(e["person_id"]))
            except ValueError:
                names[e["person_id"]] = "Élu·e (compte supprimé)"
    return names


@router.get("/collectivite/budget-formation")
async def budget(page: PageDep, annee: str = "", vote: str = "") -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    siren = acting_as(page, Role.HR, Role.SECRETARY)
    if siren is None:
        return _not_allowed(page)
    try:
        year = _year(page, annee)
        client = await training_client(page)
        statement = await client.get(f"/v1/collectivites/{siren}/budgets/{year}")
    except DomainError as exc:
        return failed(page, "Budget de formation des élus", exc, "/collectivite/budget-formation")
    return _render(page, statement, await _names(page, statement), vote=bool(vote))


def _render(
    page: Page,
    statement: dict[str, Any],
    names: dict[str, str],
    *,
    vote: bool = False,
    error: str = "",
    status: int = 200,
) -> Response:
    s = statement
    return page.render(
        "training/budget.html",
        "Budget de formation des élus",
        status=status,
        current="formations",
        s=s,
        money={
            k: euros(s[k])
            for k in (
                "voted_cents",
                "spent_cents",
                "remaining_cents",
                "floor_cents",
                "ceiling_cents",
                "spent_unapproved_cents",
            )
        },
        elected=[
            {
                "name": names.get(e["person_id"], "Élu·e"),
                "enrolments": e["enrolments"],
                "spent": euros(e["spent_cents"]),
            }
            for e in s["elected"]
        ],
        notice="Le budget voté est enregistré." if vote else "",
        error=error,
    )


@router.post("/collectivite/budget-formation")
async def vote_budget(
    page: PageDep,
    annee: Annotated[str, Form()] = "",
    vote: Annotated[str, Form()] = "",
    enveloppe: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    siren = acting_as(page, Role.HR, Role.SECRETARY)
    if siren is None:
        return _not_allowed(page)
    try:
        page.check_csrf(csrf)
        year = _year(page, annee)
        body: dict[str, Any] = {"voted_cents": cents_of(vote, "le montant voté")}
        if enveloppe.strip():
            body["allowances_envelope_cents"] = cents_of(enveloppe, "l'enveloppe des indemnités")
        client = await training_client(page)
        await client.put(f"/v1/collectivites/{siren}/budgets/{year}", body)
    except DomainError as exc:
        return failed(page, "Budget de formation des élus", exc, "/collectivite/budget-formation")
    return page.redirect(f"/collectivite/budget-formation?annee={year}&vote=1")
