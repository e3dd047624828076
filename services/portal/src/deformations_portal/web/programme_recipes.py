"""The pages of three more recipes, over training's APIs: the élus enquêteurs' enquiry
(thématique 4), the macro-micro workshop's territorial toolbox (5) and the trainers'
co-development (11). Each shows what its programme produced; the enquiry also takes
interview notes and learnings, the rest is written on training's API by the facilitator.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.french import date_fr, time_fr
from deformations_portal.web.context import Page, PageDep, failed, not_found
from deformations_portal.web.links import to_sign_in
from deformations_portal.web.training import session_view, training_client
from deformations_portal.web.training_programmes import load_programme, place_of, programme_uuid

router = APIRouter(include_in_schema=False)

ENQUETE = "t04_elus_enqueteurs"
MACRO_MICRO = "t05_atelier_macro_micro"
CODEV = "t11_codev_formateurs"
FIELD_STATUS = {"to_meet": "à rencontrer", "met": "rencontré·e"}
DONE = {
    "entretien": "Vos notes d'entretien sont enregistrées.",
    "apprentissage": "Votre apprentissage est noté.",
}


async def _of_recipe(page: Page, programme_id: str, recipe: str) -> dict[str, Any]:
    programme = await load_programme(page, programme_id)
    if programme["recipe_code"] != recipe or place_of(page, programme) not in (
        "facilitator",
        "accepted",
    ):
        raise InvalidInput("Cette page n'existe pas pour ce programme.")
    return programme


def _refused(page: Page, exc: DomainError, programme_id: str, title: str) -> Response:
    if exc.status == 404 or isinstance(exc, InvalidInput):
        return not_found(page)
    return failed(page, title, exc, f"/programmes/{programme_id}")


# -- élus enquêteurs ----------------------------------------------------------------------


async def _enquete_page(
    page: Page,
    programme: dict[str, Any],
    *,
    notice: str = "",
    error_for: str = "",
    error: str = "",
    given: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    client = await training_client(page)
    enquiry = await client.get(f"/v1/programmes/{programme['id']}/enquete")
    return page.render(
        "programmes/enquete.html",
        f"{programme['title']} : l'enquête",
        status=status,
        current="formations",
        programme=programme,
        enquiry=enquiry,
        field_status=FIELD_STATUS,
        notice=notice,
        error_for=error_for,
        error=error,
        given=given or {},
    )


@router.get("/programmes/{programme_id}/enquete")
async def enquete_page(page: PageDep, programme_id: str, fait: str = "") -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        programme = await _of_recipe(page, programme_id, ENQUETE)
        return await _enquete_page(page, programme, notice=DONE.get(fait, ""))
    except DomainError as exc:
        return _refused(page, exc, programme_id, "L'enquête")


@router.post("/programmes/{programme_id}/enquete/{action}")
async def enquete_form(page: PageDep, programme_id: str, action: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    back = f"/programmes/{programme_id}/enquete"
    try:
        page.check_csrf(given.get("csrf"))
        if action not in DONE:
            raise InvalidInput("Ce formulaire n'existe pas.")
        programme = await _of_recipe(page, programme_uuid(programme_id), ENQUETE)
    except DomainError as exc:
        return failed(page, "L'enquête", exc, back)
    base = f"/v1/programmes/{programme['id']}/enquete"
    try:
        client = await training_client(page)
        if action == "entretien":
            try:
                entry = str(uuid.UUID(given.get("terrain", "")))
            except ValueError:
                raise InvalidInput("Choisissez une rencontre de la liste de terrain.") from None
            await client.post(f"{base}/field/{entry}/interview", {"notes": given.get("notes", "")})
        else:
            body = {"text": given.get("texte", ""), "share": given.get("partage") == "oui"}
            await client.post(f"{base}/learnings", body)
    except DomainError as exc:
        if exc.status in (401, 403):
            return failed(page, "L'enquête", exc, back)
        return await _enquete_page(
            page, programme, error_for=action, error=exc.message, given=given, status=exc.status
        )
    return page.redirect(f"{back}?fait={action}")


# -- du macro au micro ---------------------------------------------------------------------


@router.get("/programmes/{programme_id}/boite-a-outils")
async def toolbox_page(page: PageDep, programme_id: str) -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        programme = await _of_recipe(page, programme_id, MACRO_MICRO)
        client = await training_client(page)
        toolbox = await client.get(f"/v1/programmes/{programme['id']}/toolbox")
    except DomainError as exc:
        return _refused(page, exc, programme_id, "La boîte à outils territoriale")
    return page.render(
        "programmes/boite_a_outils.html",
        f"{programme['title']} : la boîte à outils",
        current="formations",
        programme=programme,
        toolbox=toolbox,
        materials=[{**m, "day": date_fr(m["added_at"])} for m in programme["materials"]],
        sessions=[
            {**s, "when": session_view(s)} for s in programme["sessions"] if not s["cancelled"]
        ],
    )


# -- co-dev des formateurs -----------------------------------------------------------------


def _hours(item: dict[str, Any]) -> str:
    return f"{time_fr(item['starts_at'])} – {time_fr(item['ends_at'])}"


async def _outputs(page: Page) -> list[dict[str, Any]]:
    """The other groups' outputs, shared among trainers; whoever is not one sees none."""
    client = await training_client(page)
    try:
        return list(await client.get("/v1/codev/outputs"))
    except DomainError as exc:
        if exc.status in (401, 403):
            return []
        raise


@router.get("/programmes/{programme_id}/codev")
async def codev_page(page: PageDep, programme_id: str) -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        programme = await _of_recipe(page, programme_id, CODEV)
        client = await training_client(page)
        charter = await client.get("/v1/codev/charter")
        now = page.runtime.clock()
        coming = sorted(
            (
                s
                for s in programme["sessions"]
                if not s["cancelled"] and datetime.fromisoformat(s["ends_at"]) >= now
            ),
            key=lambda s: str(s["starts_at"]),
        )
        agenda = (
            await client.get("/v1/codev/agenda", params={"starts_at": coming[0]["starts_at"]})
            if coming
            else []
        )
        outputs = await _outputs(page)
    except DomainError as exc:
        return _refused(page, exc, programme_id, "Le co-développement")
    return page.render(
        "programmes/codev.html",
        f"{programme['title']} : le co-développement",
        current="formations",
        programme=programme,
        charter=charter,
        next_session={**coming[0], "when": session_view(coming[0])} if coming else None,
        agenda=[
            {**a, "hours": f"{time_fr(a['starts_at'])} – {time_fr(a['ends_at'])}"} for a in agenda
        ],
        materials=[{**m, "day": date_fr(m["added_at"])} for m in programme["materials"]],
        outputs=[
            {**o, "day": date_fr(o["material"]["added_at"])}
            for o in outputs
            if o["programme_id"] != programme["id"]
        ],
    )
