"""Training pages of trainers and training bodies: publish an offer (dated sessions, offre
groupée tiers), the enrolments, attendance, debrief and rebond, results from 3 answers."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.french import PARIS
from deformations_common.vocabulary.roles import Role
from deformations_contracts.themes import LABELS as THEME_LABELS
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page, PageDep, acting_as, failed
from deformations_portal.web.training import (
    ENROLMENT_STATUS,
    EVALUATION_KINDS,
    FORMATS,
    REBOND_KINDS,
    cents_of,
    euros,
    offer_view,
    training_client,
)
from deformations_portal.web.training import _uuid as offer_uuid

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str | None, Form()]
SESSION_ROWS = 3
TIER_ROWS = 3
QUESTION_LABELS = {
    "overall": "Satisfaction d'ensemble",
    "usefulness": "Utilité pour le mandat",
    "format_fit": "Format adapté",
    "put_into_practice": "Mise en pratique",
    "confidence": "Aisance pour agir",
    "shared_with_team": "Partage avec l'équipe",
    "actions_started": "Actions lancées (nombre moyen)",
}


def _body_of(page: Page) -> str | None:
    return acting_as(page, Role.TRAINER)


def _not_trainer(page: Page) -> Response:
    return page.message(
        "Espace des organismes de formation",
        "Cette page est réservée aux formateurs et formatrices d'un organisme : choisissez "
        "votre adhésion de formateur dans « Mes collectivités ».",
        status=403,
        error=True,
        link={"href": "/adhesions", "text": "Mes collectivités"},
    )


def _results_view(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "kind": EVALUATION_KINDS.get(r["kind"], r["kind"]),
            "answers": r["answers"],
            "shown": r["shown"],
            "means": [
                (QUESTION_LABELS.get(k, k), f"{v:.1f}".replace(".", ","))
                for k, v in (r.get("means") or {}).items()
            ],
            "note": r.get("note") or "",
        }
        for r in results
    ]


@router.get("/organisme/formations")
async def body_offers(page: PageDep, publiee: str = "") -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    siren = _body_of(page)
    if siren is None:
        return _not_trainer(page)
    try:
        client = await training_client(page)
        offers = await client.get(f"/v1/bodies/{siren}/offers")
        results = await client.get(f"/v1/bodies/{siren}/results")
    except DomainError as exc:
        return failed(page, "Les formations de l'organisme", exc, "/formations")
    return page.render(
        "training/body.html",
        "Les formations de l'organisme",
        current="formations",
        siren=siren,
        offers=[offer_view(o) for o in offers],
        results=_results_view(results),
        notice="La formation est publiée." if publiee else "",
    )


def _publish_form(
    page: Page, given: dict[str, str], error: str = "", status: int = 200
) -> Response:
    return page.render(
        "training/publish.html",
        "Publier une formation",
        status=status,
        current="formations",
        themes=[(t.value, lab) for t, lab in THEME_LABELS.items()],
        formats=FORMATS,
        given=given,
        session_rows=range(1, SESSION_ROWS + 1),
        tier_rows=range(1, TIER_ROWS + 1),
        error=error,
    )


@router.get("/organisme/formations/publier")
async def publish_page(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    if _body_of(page) is None:
        return _not_trainer(page)
    return _publish_form(page, {})


def _whole(given: dict[str, str], key: str, what: str) -> int:
    value = given.get(key, "").strip()
    if not value.isdigit():
        raise InvalidInput(f"Indiquez {what} en nombre entier.")
    return int(value)


def _at(day: str, hour: str, what: str) -> datetime:
    try:
        return datetime.combine(
            datetime.strptime(day, "%Y-%m-%d").date(), time.fromisoformat(hour), PARIS
        )
    except ValueError:
        raise InvalidInput(f"{what} : indiquez une date et une heure valables.") from None


def offer_body(given: dict[str, str]) -> dict[str, Any]:
    """The offer the form describes, as the service takes it; a French error otherwise."""
    title = given.get("title", "").strip()
    if not title:
        raise InvalidInput("Donnez un titre à la formation.")
    hours = given.get("duree", "").strip().replace(",", ".")
    try:
        duration = round(float(hours) * 60)
    except ValueError:
        raise InvalidInput("Indiquez la durée en heures, par exemple 3,5.") from None
    sessions = []
    for n in range(1, SESSION_ROWS + 1):
        day = given.get(f"seance{n}_jour", "").strip()
        if not day:
            continue
        what = f"Séance {n}"
        starts = _at(day, given.get(f"seance{n}_debut", ""), what)
        ends = _at(day, given.get(f"seance{n}_fin", ""), what)
        sessions.append({"starts_at": starts.isoformat(), "ends_at": ends.isoformat()})
    tiers = []
    for n in range(1, TIER_ROWS + 1):
        size = given.get(f"palier{n}_taille", "").strip()
        if not size:
            continue
        tiers.append(
            {
                "min_group_size": _whole(given, f"palier{n}_taille", f"la taille du palier {n}"),
                "price_cents": cents_of(given.get(f"palier{n}_prix", ""), f"le prix du palier {n}"),
            }
        )
    body: dict[str, Any] = {
        "title": title,
        "description": given.get("description", "").strip(),
        "theme": given.get("theme", ""),
        "format": given.get("format", ""),
        "duration_minutes": duration,
        "capacity": _whole(given, "capacite", "le nombre de places"),
        "price_cents": cents_of(given.get("prix", ""), "le prix par personne"),
        "sessions": sessions,
        "group_tiers": tiers,
    }
    for key, field in (
        ("place_insee", "lieu_insee"),
        ("place_label", "lieu"),
        ("video_url", "lien"),
    ):
        value = given.get(field, "").strip()
        if value:
            body[key] = value
    closes = given.get("cloture", "").strip()
    if closes:
        body["registration_closes_at"] = _at(
            closes, "23:59", "Clôture des inscriptions"
        ).isoformat()
    return body


@router.post("/organisme/formations/publier")
async def publish(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    siren = _body_of(page)
    if siren is None:
        return _not_trainer(page)
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    try:
        page.check_csrf(given.get("csrf"))
        client = await training_client(page)
        offer = await client.post(f"/v1/bodies/{siren}/offers", offer_body(given))
    except DomainError as exc:
        return _publish_form(page, given, exc.message, exc.status)
    return page.redirect(f"/organisme/formations/{offer['id']}?publiee=1")


@router.get("/organisme/formations/{offer_id}")
async def manage_offer(page: PageDep, offer_id: str, publiee: str = "", fait: str = "") -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    siren = _body_of(page)
    if siren is None and acting_as(page, Role.OPERATOR) is None:
        return _not_trainer(page)
    try:
        client = await training_client(page)
        oid = offer_uuid(offer_id)
        offer = await client.get(f"/v1/offers/{oid}")
        enrolments = await client.get(f"/v1/offers/{oid}/enrolments")
        results = await client.get(f"/v1/offers/{oid}/results")
        others = await client.get(f"/v1/bodies/{offer['body_siren']}/offers")
    except DomainError as exc:
        return failed(page, "Gérer une formation", exc, "/organisme/formations")
    async with page.runtime.begin(PortalUow) as uow:
        names = {}
        for e in enrolments:
            try:
                names[e["person_id"]] = await people.display_name(uow, uuid.UUID(e["person_id"]))
            except ValueError:
                names[e["person_id"]] = "Personne"
    view = offer_view(offer)
    notices = {
        "presence": "La présence est enregistrée.",
        "rebond": "Le débrief et le rebond sont envoyés à l'élu·e.",
    }
    rows = [
        {
            **e,
            "name": names.get(e["person_id"], "Personne"),
            "status_label": ENROLMENT_STATUS.get(e["status"], e["status"]),
            "price": euros(e["price_cents"]),
            "attended": {str(a) for a in e["attended"]},
        }
        for e in enrolments
        if e["status"] != "cancelled"
    ]
    return page.render(
        "training/manage.html",
        f"Gérer : {offer['title']}",
        current="formations",
        offer=view,
        rows=rows,
        results=_results_view(results),
        rebond_kinds=REBOND_KINDS,
        others=[o for o in others if o["id"] != offer["id"] and not o["cancelled"]],
        notice="La formation est publiée." if publiee else notices.get(fait, ""),
    )


@router.post("/organisme/inscriptions/{enrolment_id}/presence")
async def attendance(
    page: PageDep,
    enrolment_id: str,
    formation: Annotated[str, Form()] = "",
    seance: Annotated[str, Form()] = "",
    presence: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    back = f"/organisme/formations/{formation}"
    try:
        page.check_csrf(csrf)
        if presence not in ("present", "absent"):
            raise InvalidInput("Indiquez présent ou absent.")
        client = await training_client(page)
        await client.post(
            f"/v1/enrolments/{offer_uuid(enrolment_id)}/attendance",
            {"session_id": offer_uuid(seance), "present": presence == "present"},
        )
    except DomainError as exc:
        return failed(page, "Présence", exc, back)
    return page.redirect(f"/organisme/formations/{offer_uuid(formation)}?fait=presence")


@router.post("/organisme/inscriptions/{enrolment_id}/rebond")
async def rebond(
    page: PageDep,
    enrolment_id: str,
    formation: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    suite: Annotated[str, Form()] = "",
    debrief: Annotated[str, Form()] = "",
    proposal: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    back = f"/organisme/formations/{formation}"
    try:
        page.check_csrf(csrf)
        if kind not in REBOND_KINDS:
            raise InvalidInput("Choisissez le genre de rebond proposé.")
        body: dict[str, Any] = {"kind": kind, "debrief": debrief, "proposal": proposal}
        if suite:
            body["offer_id"] = offer_uuid(suite)
        client = await training_client(page)
        await client.post(f"/v1/enrolments/{offer_uuid(enrolment_id)}/rebond", body)
    except DomainError as exc:
        return failed(page, "Débrief et rebond", exc, back)
    return page.redirect(f"/organisme/formations/{offer_uuid(formation)}?fait=rebond")
