"""Training pages of élus: search offers, an offer's page, enrol, my journey, rebonds and
questionnaires. Every read and every change goes to the training service with the
person's own token; its refusals come back as French messages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.french import date_fr, time_fr
from deformations_common.vocabulary.roles import Role
from deformations_contracts.themes import LABELS as THEME_LABELS
from deformations_contracts.themes import label as theme_label
from deformations_portal.web.context import Page, PageDep, acting_as, failed, not_found
from deformations_portal.web.links import to_sign_in
from deformations_portal.web.pages import issuer_of
from deformations_portal.web.training_client import TrainingClient

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str | None, Form()]

FORMATS = {
    "half_day": "Demi-journée",
    "evening": "Soirée",
    "e_learning": "En ligne (e-learning)",
    "cafe": "Café d'élus",
    "visit": "Visite de terrain",
}
SLOTS = {
    "early_morning": "Tôt le matin (avant 9 h)",
    "morning": "Le matin",
    "lunch": "Pause déjeuner",
    "afternoon": "L'après-midi",
    "evening": "Le soir (après 18 h)",
    "weekend": "Le week-end",
}
# « Ça rentre dans mon agenda »: the quiz's time per month, in minutes (offers no longer).
TIME = {
    "60": "Une heure",
    "180": "Deux à trois heures",
    "240": "Une demi-journée",
    "480": "Une journée ou plus",
}
WITHIN = {
    "partout": "Partout",
    "region": "Dans ma région",
    "departement": "Dans mon département",
    "epci": "Dans mon intercommunalité",
    "commune": "Dans ma commune",
}
PROXIMITY = {
    "same_commune": "dans la commune",
    "same_epci": "dans l'intercommunalité",
    "same_departement": "dans le département",
    "same_region": "dans la région",
    "elsewhere": "plus loin",
}
REBOND_KINDS = {
    "module": "Un autre module",
    "cafe": "Un café d'élus",
    "peer_group": "Un groupe de pairs",
    "visit": "Une visite",
}
REBOND_STATUS = {"proposed": "proposé", "taken": "pris", "left": "laissé"}
ENROLMENT_STATUS = {
    "confirmed": "inscrit·e",
    "waitlisted": "en liste d'attente",
    "cancelled": "annulée",
}
EVALUATION_KINDS = {
    "satisfaction": "Questionnaire de satisfaction",
    "impact_6_months": "Impact à 6 mois",
    "impact_12_months": "Impact à 12 mois",
}
# The questions of each questionnaire (the keys are the service's; 1–5 each).
QUESTIONS = {
    "satisfaction": (
        ("overall", "Dans l'ensemble, êtes-vous satisfait·e de cette formation ?"),
        ("usefulness", "Ce que vous avez appris vous est-il utile dans votre mandat ?"),
        ("format_fit", "Le format (durée, horaire, lieu) vous convenait-il ?"),
    ),
    "impact": (
        ("put_into_practice", "Avez-vous mis en pratique ce que vous avez appris ?"),
        ("confidence", "Vous sentez-vous plus à l'aise pour agir sur ce sujet ?"),
        ("shared_with_team", "L'avez-vous partagé avec votre équipe municipale ?"),
    ),
}
SCALE = (
    (1, "1 — pas du tout"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 — tout à fait"),
)


def euros(cents: int | None) -> str:
    if cents is None:
        return "—"
    whole, rest = divmod(int(cents), 100)
    text = f"{whole:,}".replace(",", " ")
    return f"{text},{rest:02d} €" if rest else f"{text} €"


def cents_of(text: str, field: str) -> int:
    """A price typed in euros (« 150 », « 150,50 ») in cents; a clear error otherwise."""
    cleaned = text.strip().replace(" ", "").replace("€", "").replace(",", ".")
    try:
        value = round(float(cleaned) * 100)
    except ValueError:
        raise InvalidInput(f"Indiquez {field} en euros, par exemple 150 ou 150,50.") from None
    if value < 0:
        raise InvalidInput(f"{field.capitalize()} ne peut pas être négatif.")
    return value


@dataclass(frozen=True)
class SessionView:
    id: str
    day: str
    hours: str
    cancelled: bool


def session_view(s: dict[str, Any]) -> SessionView:
    starts, ends = s["starts_at"], s["ends_at"]
    return SessionView(
        str(s["id"]),
        date_fr(starts),
        f"{time_fr(starts)} – {time_fr(ends)}",
        bool(s.get("cancelled")),
    )


def offer_view(o: dict[str, Any]) -> dict[str, Any]:
    """The service's offer with what a page shows in French."""
    return {
        **o,
        "theme_label": theme_label(o["theme"]),
        "format_label": FORMATS.get(o["format"], o["format"]),
        "price": euros(o["price_cents"]),
        "tiers": [
            {"size": t["min_group_size"], "price": euros(t["price_cents"])}
            for t in o.get("group_tiers", [])
        ],
        "session_views": [session_view(s) for s in o.get("sessions", [])],
        "closes": date_fr(o["registration_closes_at"]) if o.get("registration_closes_at") else "",
    }


async def training_client(page: Page) -> TrainingClient:
    assert page.me is not None
    return TrainingClient(
        page.settings,
        await issuer_of(page),
        page.request.app.state.clients.http,
        page.me.person_id,
        page.me.acting,
        page.runtime.clock(),
    )


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput("Cette adresse ne désigne aucune formation.") from None


@router.get("/formations")
async def search(
    page: PageDep,
    theme: str = "",
    format: str = "",
    du: str = "",
    au: str = "",
    pres_de: str = "",
    distance: str = "partout",
    creneau: Annotated[list[str] | None, Query()] = None,
    temps: str = "",
) -> Response:
    if page.me is None:
        return to_sign_in(page)
    chosen: dict[str, Any] = {
        "temps": temps,
        "theme": theme,
        "format": format,
        "du": du,
        "au": au,
        "pres_de": pres_de.strip(),
        "distance": distance,
        "creneaux": list(creneau or []),
    }
    params: list[tuple[str, str]] = [("within", distance if distance in WITHIN else "partout")]
    error = ""
    found: list[dict[str, Any]] = []
    try:
        for name, value in (("theme", theme), ("format", format)):
            if value:
                params.append((name, value))
        for name, value in (("from", du), ("to", au)):
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise InvalidInput("Indiquez les dates au format jj/mm/aaaa.") from None
                params.append((name, value))
        near = pres_de.strip()
        if near:
            params.append(("near", near))
        params.extend(("slot", s) for s in chosen["creneaux"] if s in SLOTS)
        if temps:
            if temps not in TIME:
                raise InvalidInput("Choisissez le temps dont vous disposez dans la liste.")
            params.append(("minutes", temps))
        client = await training_client(page)
        results = await client.get("/v1/offers/search", params=params)
        found = [
            {
                "offer": offer_view(r["offer"]),
                "proximity": PROXIMITY.get(r.get("proximity") or "", ""),
            }
            for r in results
        ]
    except DomainError as exc:
        error = exc.message
    return page.render(
        "training/search.html",
        "Trouver une formation",
        status=422 if error else 200,
        current="formations",
        chosen=chosen,
        themes=[(t.value, lab) for t, lab in THEME_LABELS.items()],
        formats=FORMATS,
        slots=SLOTS,
        times=TIME,
        within=WITHIN,
        found=found,
        error=error,
        trainer=acting_as(page, Role.TRAINER) is not None,
        budget=acting_as(page, Role.HR, Role.SECRETARY) is not None,
    )


@router.get("/formations/parcours")
async def journey(page: PageDep) -> Response:
    if page.me is None:
        return to_sign_in(page)
    me = str(page.me.person_id)
    try:
        client = await training_client(page)
        steps = await client.get(f"/v1/people/{me}/journey")
        rebonds = await client.get(f"/v1/people/{me}/rebonds")
        evaluations = await client.get(f"/v1/people/{me}/evaluations")
    except DomainError as exc:
        return failed(page, "Mon parcours de formation", exc, "/formations")
    return page.render(
        "training/journey.html",
        "Mon parcours de formation",
        current="formations",
        steps=[
            {
                "offer": offer_view(s["offer"]),
                "status": ENROLMENT_STATUS.get(s["enrolment"]["status"], ""),
                "attended": len(s["enrolment"]["attended"]),
                "rebond": s.get("rebond"),
            }
            for s in steps
        ],
        open_rebonds=[r for r in rebonds if r["status"] == "proposed"],
        evaluations=[e for e in evaluations if not e["answered"]],
        rebond_kinds=REBOND_KINDS,
        rebond_status=REBOND_STATUS,
        evaluation_kinds=EVALUATION_KINDS,
    )


@router.post("/formations/rebonds/{rebond_id}")
async def answer_rebond(
    page: PageDep,
    rebond_id: str,
    choix: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    try:
        page.check_csrf(csrf)
        if choix not in ("prendre", "laisser"):
            raise InvalidInput("Choisissez de prendre ou de laisser ce rebond.")
        client = await training_client(page)
        await client.post(f"/v1/rebonds/{_uuid(rebond_id)}/answer", {"take": choix == "prendre"})
    except DomainError as exc:
        return failed(page, "Répondre au rebond", exc, "/formations/parcours")
    return page.message(
        "Rebond",
        "C'est noté : le module proposé est ajouté à votre parcours."
        if choix == "prendre"
        else "C'est noté : vous laissez ce rebond.",
        link={"href": "/formations/parcours", "text": "Revenir à mon parcours"},
    )


async def _open_evaluation(page: Page, evaluation_id: str) -> dict[str, Any] | None:
    assert page.me is not None
    client = await training_client(page)
    found = await client.get(f"/v1/people/{page.me.person_id}/evaluations")
    for e in found:
        if str(e["id"]) == evaluation_id and not e["answered"]:
            return dict(e)
    return None


def _questions(kind: str) -> tuple[tuple[str, str], ...]:
    return QUESTIONS["satisfaction" if kind == "satisfaction" else "impact"]


@router.get("/formations/questionnaires/{evaluation_id}")
async def evaluation_page(page: PageDep, evaluation_id: str) -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        evaluation = await _open_evaluation(page, evaluation_id)
    except DomainError as exc:
        return failed(page, "Questionnaire", exc, "/formations/parcours")
    if evaluation is None:
        return not_found(page)
    return _evaluation_form(page, evaluation, "", {})


def _evaluation_form(
    page: Page, evaluation: dict[str, Any], error: str, given: dict[str, str], status: int = 200
) -> Response:
    kind = evaluation["kind"]
    return page.render(
        "training/evaluation.html",
        EVALUATION_KINDS.get(kind, "Questionnaire"),
        status=status,
        current="formations",
        evaluation=evaluation,
        questions=_questions(kind),
        impact=kind != "satisfaction",
        scale=SCALE,
        given=given,
        error=error,
    )


@router.post("/formations/questionnaires/{evaluation_id}")
async def answer_evaluation(page: PageDep, evaluation_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    try:
        page.check_csrf(given.get("csrf"))
        evaluation = await _open_evaluation(page, evaluation_id)
    except DomainError as exc:
        return failed(page, "Questionnaire", exc, "/formations/parcours")
    if evaluation is None:
        return not_found(page)
    try:
        answers: dict[str, int] = {}
        for key, _question in _questions(evaluation["kind"]):
            if given.get(key, "") not in {"1", "2", "3", "4", "5"}:
                raise InvalidInput("Répondez à chaque question, de 1 à 5.")
            answers[key] = int(given[key])
        if evaluation["kind"] != "satisfaction":
            actions = given.get("actions_started", "").strip()
            if not actions.isdigit():
                raise InvalidInput("Indiquez un nombre d'actions lancées (0 si aucune).")
            answers["actions_started"] = int(actions)
        client = await training_client(page)
        await client.post(f"/v1/evaluations/{evaluation_id}/answers", {"answers": answers})
    except DomainError as exc:
        return _evaluation_form(page, evaluation, exc.message, given, status=exc.status)
    return page.message(
        "Merci",
        "Vos réponses sont enregistrées ; elles restent anonymes dans les résultats.",
        link={"href": "/formations/parcours", "text": "Revenir à mon parcours"},
    )


@router.get("/formations/{offer_id}")
async def offer_page(
    page: PageDep, offer_id: str, inscription: str = "", rang: int = 0
) -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        client = await training_client(page)
        offer = await client.get(f"/v1/offers/{_uuid(offer_id)}")
    except DomainError as exc:
        if exc.status == 404 or isinstance(exc, InvalidInput):
            return not_found(page)
        return failed(page, "Formation", exc, "/formations")
    view = offer_view(offer)
    manager = (
        acting_as(page, Role.TRAINER) == offer["body_siren"]
        or acting_as(page, Role.OPERATOR) is not None
    )
    notice = ""
    if inscription == "confirmee":
        notice = "Votre inscription est confirmée : une invitation vous est envoyée."
    elif inscription == "attente":
        notice = (
            f"La formation est complète : vous êtes en position {rang} sur la liste "
            "d'attente. Vous serez inscrit·e automatiquement si une place se libère."
            if rang > 0
            else "La formation est complète : vous êtes sur la liste d'attente."
        )
    return page.render(
        "training/offer.html",
        offer["title"],
        current="formations",
        offer=view,
        manager=manager,
        notice=notice,
        acting=page.me.acting is not None,
    )


@router.post("/formations/{offer_id}/inscription")
async def enrol(page: PageDep, offer_id: str, csrf: CsrfField = None) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    try:
        page.check_csrf(csrf)
        client = await training_client(page)
        enrolment = await client.post(f"/v1/offers/{_uuid(offer_id)}/enrolments", {})
    except DomainError as exc:
        return failed(page, "Inscription impossible", exc, f"/formations/{offer_id}")
    if enrolment["status"] == "waitlisted":
        rank = int(enrolment.get("waitlist_position") or 0)
        return page.redirect(f"/formations/{offer_id}?inscription=attente&rang={rank}")
    return page.redirect(f"/formations/{offer_id}?inscription=confirmee")
