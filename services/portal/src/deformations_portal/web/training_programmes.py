"""A programme's page: where its invitation is answered and its closing review filled in.

The e-mails of ``programme.invited``, ``programme.review_due`` and the programme's sessions
link here. Everything comes from the training service (``/v1/programmes/{id}``) with the
person's token: it answers 404 to whoever is neither the facilitator nor invited.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_contracts.catalogue.recipes import load_catalogue
from deformations_portal.web.context import Page, PageDep, failed, not_found
from deformations_portal.web.links import CsrfField, to_sign_in
from deformations_portal.web.training import session_view, training_client

router = APIRouter(include_in_schema=False)

CODEV = "t11_"  # the co-dev des formateurs is joined by accepting its charter
STATUS = {"running": "en cours", "closed": "terminé"}
STEP_STATUS = {
    "todo": "à venir",
    "in_progress": "en cours",
    "done": "faite",
    "skipped": "passée",
}
# The recipes whose own page follows the programme, beside this one.
TOOLS = {
    "t10_non_conference": {
        "path": "non-conference",
        "text": "La demi-journée : contributions, agenda, notes",
    },
    "t02_carnet_de_bord": {"path": "carnet", "text": "Le carnet de bord"},
    "t04_elus_enqueteurs": {
        "path": "enquete",
        "text": "L'enquête : terrain, entretiens, apprentissages",
    },
    "t05_atelier_macro_micro": {"path": "boite-a-outils", "text": "La boîte à outils territoriale"},
    "t11_codev_formateurs": {
        "path": "codev",
        "text": "Le co-développement : séance, cas, productions",
    },
    "t09_boussole_participation": {
        "path": "boussole",
        "text": "La boussole : enquête, grille, feuilles de route",
    },
}
INVITATION = {"invited": "invité·e", "accepted": "membre", "declined": "invitation déclinée"}
# « On sera content si… »: each criterion scored 1 to 4 at the closing review.
SCORES = (
    ("1", "1 – pas du tout"),
    ("2", "2 – un peu"),
    ("3", "3 – plutôt"),
    ("4", "4 – tout à fait"),
)
ANSWERED = {
    "acceptee": "Vous avez rejoint le programme : ses séances vous parviendront par courriel.",
    "declinee": "Vous avez décliné l'invitation.",
    "merci": "Merci : votre bilan est enregistré.",
}


def recipe_title(code: str) -> str:
    try:
        return load_catalogue().title_of(code)
    except KeyError:
        return code


def place_of(page: Page, programme: dict[str, Any]) -> str | None:
    """My place in the programme: ``facilitator``, an invitation status, or None."""
    assert page.me is not None
    me = str(page.me.person_id)
    if programme["facilitator_id"] == me:
        return "facilitator"
    for participant in programme["participants"]:
        if participant["person_id"] == me:
            return str(participant["status"])
    return None


def programme_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput("Cette adresse ne désigne aucun programme.") from None


async def load_programme(page: Page, programme_id: str) -> dict[str, Any]:
    client = await training_client(page)
    found: dict[str, Any] = await client.get(f"/v1/programmes/{programme_uuid(programme_id)}")
    return found


async def _charter(page: Page, programme: dict[str, Any]) -> list[str]:
    if not programme["recipe_code"].startswith(CODEV):
        return []
    client = await training_client(page)
    return list(await client.get("/v1/codev/charter"))


async def _render(
    page: Page,
    programme: dict[str, Any],
    *,
    notice: str = "",
    error: str = "",
    given: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    mine = place_of(page, programme)
    closed = programme["status"] == "closed"
    return page.render(
        "training/programme.html",
        programme["title"],
        status=status,
        current="formations",
        programme=programme,
        recipe=recipe_title(programme["recipe_code"]),
        status_label=STATUS.get(programme["status"], programme["status"]),
        steps=[
            {"title": s["title"], "status": STEP_STATUS.get(s["status"], s["status"])}
            for s in programme["steps"]
        ],
        sessions=[
            {**s, "when": session_view(s)} for s in programme["sessions"] if not s["cancelled"]
        ],
        members=sum(1 for p in programme["participants"] if p["status"] == "accepted") + 1,
        mine=mine,
        tool=TOOLS.get(programme["recipe_code"]),
        mine_label=INVITATION.get(mine or "", ""),
        invited=mine == "invited" and not closed,
        charter=await _charter(page, programme) if mine == "invited" and not closed else [],
        review=closed and mine == "accepted" and bool(programme["review_questions"]),
        questions=list(enumerate(programme["review_questions"])),
        scores=SCORES,
        notice=notice,
        error=error,
        given=given or {},
    )


@router.get("/programmes")
async def my_programmes(page: PageDep) -> Response:
    """The programmes I lead or am invited to, each with its recipe's own page."""
    if page.me is None:
        return to_sign_in(page)
    try:
        client = await training_client(page)
        found: list[dict[str, Any]] = await client.get("/v1/programmes")
    except DomainError as exc:
        return failed(page, "Mes programmes", exc, "/formations")
    rows = []
    for programme in found:
        mine = place_of(page, programme)
        if mine == "declined":
            continue
        rows.append(
            {
                **programme,
                "recipe": recipe_title(programme["recipe_code"]),
                "status_label": STATUS.get(programme["status"], programme["status"]),
                "mine_label": "vous animez"
                if mine == "facilitator"
                else INVITATION.get(mine or "", ""),
                "tool": TOOLS.get(programme["recipe_code"])
                if mine in ("facilitator", "accepted")
                else None,
            }
        )
    return page.render(
        "programmes/list.html", "Mes programmes", current="formations", programmes=rows
    )


@router.get("/programmes/{programme_id}")
async def programme_page(page: PageDep, programme_id: str, fait: str = "") -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        programme = await load_programme(page, programme_id)
    except DomainError as exc:
        if exc.status == 404 or isinstance(exc, InvalidInput):
            return not_found(page)
        return failed(page, "Programme", exc, "/espace")
    return await _render(page, programme, notice=ANSWERED.get(fait, ""))


@router.post("/programmes/{programme_id}/invitation")
async def answer_invitation(
    page: PageDep,
    programme_id: str,
    choix: Annotated[str, Form()] = "",
    charte: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    back = f"/programmes/{programme_id}"
    try:
        page.check_csrf(csrf)
        if choix not in ("accepter", "decliner"):
            raise InvalidInput("Choisissez d'accepter ou de décliner l'invitation.")
        client = await training_client(page)
        await client.post(
            f"/v1/programmes/{programme_uuid(programme_id)}/invitation",
            {"accept": choix == "accepter", "charter_accepted": charte == "oui"},
        )
    except DomainError as exc:
        return failed(page, "Répondre à l'invitation", exc, back)
    return page.redirect(f"{back}?fait={'acceptee' if choix == 'accepter' else 'declinee'}")


def review_answers(questions: int, given: dict[str, str]) -> list[dict[str, Any]]:
    """The review form as the service takes it: a score per criterion, comments optional."""
    answers: list[dict[str, Any]] = []
    for i in range(questions):
        score = given.get(f"note_{i}", "")
        if score not in {value for value, _ in SCORES}:
            raise InvalidInput("Notez chaque critère, de 1 à 4.")
        comment = given.get(f"commentaire_{i}", "").strip()
        if len(comment) > 2000:
            raise InvalidInput("Un commentaire compte au plus 2000 caractères.")
        answers.append({"score": int(score), "comment": comment or None})
    return answers


@router.post("/programmes/{programme_id}/bilan")
async def answer_review(page: PageDep, programme_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    back = f"/programmes/{programme_id}"
    try:
        page.check_csrf(given.get("csrf"))
        programme = await load_programme(page, programme_id)
    except DomainError as exc:
        return failed(page, "Bilan du programme", exc, back)
    try:
        answers = review_answers(len(programme["review_questions"]), given)
        client = await training_client(page)
        await client.post(f"/v1/programmes/{programme['id']}/review", {"answers": answers})
    except DomainError as exc:
        return await _render(page, programme, error=exc.message, given=given, status=exc.status)
    return page.redirect(f"{back}?fait=merci")
