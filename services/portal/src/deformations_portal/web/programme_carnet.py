"""The carnet de bord's page (booklet, thématique 2), over training's carnet API.

An élu keeps her own entries there; each is private until she shares it with the coach,
and she can take it back. The coach sees only what is shared with him (training answers
for each entry: the page never asks for what it may not show). Both see the monthly
appointments (the programme's sessions) and the steps up to the collective review.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.french import date_fr
from deformations_portal.web.context import Page, PageDep, failed, not_found
from deformations_portal.web.links import to_sign_in
from deformations_portal.web.training import session_view, training_client
from deformations_portal.web.training_programmes import (
    STEP_STATUS,
    load_programme,
    place_of,
    programme_uuid,
)

router = APIRouter(include_in_schema=False)

CARNET = "t02_carnet_de_bord"
KINDS = {
    "resource": "Ressource",
    "situation": "Situation d'apprentissage",
    "note": "Note",
    "module": "Module suivi",
}
DONE = {
    "ecrite": "L'entrée est dans votre carnet. Elle reste privée tant que vous ne la partagez pas.",
    "partagee": "L'entrée est partagée avec votre coach.",
    "reprise": "L'entrée n'est plus partagée : votre coach ne la voit plus.",
}


def _tags(raw: str) -> list[str]:
    return [t.strip() for t in raw.replace(";", ",").split(",") if t.strip()]


def _entry_body(given: dict[str, str], offers: dict[str, str]) -> dict[str, Any]:
    """The form as training takes an entry; the offer only among the modules followed."""
    kind = given.get("genre", "")
    if kind not in KINDS:
        raise InvalidInput("Choisissez le genre de l'entrée.")
    offer = given.get("formation", "") or None
    if offer is not None and offer not in offers:
        raise InvalidInput("Choisissez une formation de votre parcours.")
    if kind == "module" and offer is None:
        raise InvalidInput("Un module suivi désigne la formation suivie, dans votre parcours.")
    return {
        "kind": kind,
        "title": given.get("titre", ""),
        "body": given.get("texte", ""),
        "tags": _tags(given.get("mots", "")),
        "offer_id": offer,
        "url": given.get("lien", "").strip() or None,
    }


def _entry_view(e: dict[str, Any], offers: dict[str, str]) -> dict[str, Any]:
    return {
        **e,
        "kind_label": KINDS.get(e["kind"], e["kind"]),
        "day": date_fr(e["created_at"]) if e["created_at"] else "",
        "offer_title": offers.get(str(e["offer_id"]), "") if e["offer_id"] else "",
    }


async def _offers_followed(page: Page) -> dict[str, str]:
    assert page.me is not None
    client = await training_client(page)
    steps = await client.get(f"/v1/people/{page.me.person_id}/journey")
    return {str(s["offer"]["id"]): str(s["offer"]["title"]) for s in steps}


async def _render(
    page: Page,
    programme: dict[str, Any],
    *,
    notice: str = "",
    error: str = "",
    given: dict[str, str] | None = None,
    tag: str = "",
    status: int = 200,
) -> Response:
    mine = place_of(page, programme)
    client = await training_client(page)
    coach = mine == "facilitator"
    offers: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    if coach:
        found = await client.get(f"/v1/programmes/{programme['id']}/carnet/shared")
    else:
        offers = await _offers_followed(page)
        found = await client.get(f"/v1/programmes/{programme['id']}/carnet")
    entries = [_entry_view(e, offers) for e in found]
    tags = sorted({t for e in entries for t in e["tags"]})
    shown = [e for e in entries if not tag or tag in e["tags"]]
    now = page.runtime.clock()
    sessions = [s for s in programme["sessions"] if not s["cancelled"]]
    return page.render(
        "programmes/carnet.html",
        "Le carnet de bord" if not coach else "Les carnets partagés avec vous",
        status=status,
        current="formations",
        programme=programme,
        coach=coach,
        entries=shown,
        count=len(entries),
        tags=tags,
        tag=tag,
        kinds=KINDS,
        offers=offers,
        coming=[
            {**s, "when": session_view(s)}
            for s in sessions
            if datetime.fromisoformat(s["ends_at"]) >= now
        ],
        past=[
            {**s, "when": session_view(s)}
            for s in sessions
            if datetime.fromisoformat(s["ends_at"]) < now
        ],
        steps=[
            {"title": s["title"], "status": STEP_STATUS.get(s["status"], s["status"])}
            for s in programme["steps"]
        ],
        notice=notice,
        error=error,
        given=given or {},
    )


async def _load(page: Page, programme_id: str) -> dict[str, Any]:
    programme = await load_programme(page, programme_id)
    if programme["recipe_code"] != CARNET:
        raise InvalidInput("Ce programme n'est pas un carnet de bord.")
    if place_of(page, programme) not in ("facilitator", "accepted"):
        raise InvalidInput("Rejoignez d'abord le programme.")
    return programme


@router.get("/programmes/{programme_id}/carnet")
async def carnet_page(page: PageDep, programme_id: str, fait: str = "", mot: str = "") -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        programme = await _load(page, programme_id)
        return await _render(page, programme, notice=DONE.get(fait, ""), tag=mot.strip())
    except DomainError as exc:
        if exc.status == 404 or isinstance(exc, InvalidInput):
            return not_found(page)
        return failed(page, "Carnet de bord", exc, f"/programmes/{programme_id}")


@router.post("/programmes/{programme_id}/carnet/entrees")
async def write_entry(page: PageDep, programme_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    back = f"/programmes/{programme_id}/carnet"
    try:
        page.check_csrf(given.get("csrf"))
        programme = await _load(page, programme_uuid(programme_id))
    except DomainError as exc:
        return failed(page, "Carnet de bord", exc, back)
    try:
        body = _entry_body(given, await _offers_followed(page))
        client = await training_client(page)
        await client.post(f"/v1/programmes/{programme['id']}/carnet", body)
    except DomainError as exc:
        return await _render(page, programme, error=exc.message, given=given, status=exc.status)
    return page.redirect(f"{back}?fait=ecrite#entrees")


@router.post("/programmes/{programme_id}/carnet/entrees/{entry_id}/partage")
async def share_entry(page: PageDep, programme_id: str, entry_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    back = f"/programmes/{programme_id}/carnet"
    choice = str(form.get("choix", ""))
    try:
        page.check_csrf(str(form.get("csrf", "")))
        if choice not in ("partager", "reprendre"):
            raise InvalidInput("Choisissez de partager l'entrée ou de reprendre son partage.")
        try:
            entry = str(uuid.UUID(entry_id))
        except ValueError:
            raise InvalidInput("Cette adresse ne désigne aucune entrée.") from None
        client = await training_client(page)
        await client.post(f"/v1/carnet/{entry}/sharing", {"shared": choice == "partager"})
    except DomainError as exc:
        return failed(page, "Carnet de bord", exc, back)
    done = "partagee" if choice == "partager" else "reprise"
    return page.redirect(f"{back}?fait={done}#entree-{entry}")
