"""Appels à pairs and groupes d'entraide, by clicking.

Joining someone's appel takes one click (matching recruits the joiners of a call first);
answering it in one's own words posts one's own call on the same theme. Matching recruits
a group among the open calls of a theme that share a slot, when the author (or an
operator) asks for it. Then each member accepts or declines; names stay hidden until
everyone still in has accepted; an accepted member fixes the sessions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.roles import Role
from deformations_portal.web.context import Page, PageDep, not_found
from deformations_portal.web.links import to_sign_in
from deformations_portal.web.matching_forms import (
    MODALITIES,
    SLOTS,
    THEMES,
    call_body,
    schedule_body,
)
from deformations_portal.web.meetings import (
    ANSWERS,
    CALL_STATUS,
    GROUP_STATUS,
    failed,
    is_me,
    matching_client,
    names,
    session_view,
)

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str | None, Form()]

NOTICES = {
    "appel": "Votre appel à pairs est publié. Vous serez prévenu·e quand un groupe se forme.",
    "retire": "Votre appel à pairs est retiré.",
    "rejoint": "Vous avez rejoint l'appel : vous serez invité·e dans le groupe qui se forme.",
    "forme": "Le groupe est proposé : chacun et chacune reçoit l'invitation à accepter.",
    "accepte": "Vous avez accepté votre place dans le groupe.",
    "decline": "Vous avez décliné : votre place revient à quelqu'un d'autre.",
    "quitte": "Vous avez quitté le groupe.",
    "seances": "Les séances du groupe sont fixées : chaque membre reçoit l'invitation.",
}


def _uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _operator(page: Page) -> bool:
    acting = page.me.acting if page.me is not None else None
    return acting is not None and acting.validated and acting.role is Role.OPERATOR


@router.get("/pairs")
async def calls_page(page: PageDep, theme: str = "", notice: str = "") -> Response:
    if page.me is None:
        # The mail telling an author her call was hidden links here: back after sign-in.
        return to_sign_in(page)
    chosen = theme if theme in THEMES else ""
    try:
        client = await matching_client(page)
        calls = await client.get("/v1/peer-calls", params={"theme": chosen} if chosen else None)
    except DomainError as exc:
        return failed(page, "Appels à pairs", exc, "/espace", "Revenir à mon espace")
    mine = [c for c in calls if is_me(page, c.get("caller"))]
    others = [c for c in calls if not is_me(page, c.get("caller"))]
    joined = {c["joins"] for c in mine if c.get("joins")}
    return page.render(
        "matching/calls.html",
        "Appels à pairs",
        current="rencontres",
        mine=mine,
        others=others,
        joined=joined,
        acting_operator=_operator(page),
        call_status=CALL_STATUS,
        themes=THEMES,
        chosen=chosen,
        notice=NOTICES.get(notice, ""),
    )


def _call_form(
    page: Page,
    given: dict[str, Any],
    answering: dict[str, Any] | None,
    error: str = "",
    status: int = 200,
) -> Response:
    return page.render(
        "matching/call_form.html",
        "Répondre à un appel à pairs" if answering else "Lancer un appel à pairs",
        status=status,
        current="rencontres",
        themes=THEMES,
        slots=SLOTS,
        modalities=MODALITIES,
        given=given,
        answering=answering,
        error=error,
    )


async def _open_call(page: Page, call_id: str) -> dict[str, Any] | None:
    if not _uuid(call_id):
        return None
    client = await matching_client(page)
    for call in await client.get("/v1/peer-calls", params={"limit": 500}):
        if call["call_id"] == call_id:
            return dict(call)
    return None


@router.get("/pairs/nouveau")
async def new_call(page: PageDep, appel: str = "") -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    answering = None
    if appel:
        try:
            answering = await _open_call(page, appel)
        except DomainError as exc:
            return failed(page, "Appels à pairs", exc, "/pairs", "Revenir aux appels à pairs")
        if answering is None:
            return page.message(
                "Appel à pairs",
                "Cet appel n'est plus ouvert : un groupe s'est peut-être déjà formé.",
                status=404,
                error=True,
                link={"href": "/pairs", "text": "Voir les appels ouverts"},
            )
    given: dict[str, Any] = {"theme": answering["theme"] if answering else "", "creneaux": []}
    if answering:
        given["probleme"] = "Je rencontre la même difficulté et j'aimerais en parler entre pairs."
    return _call_form(page, given, answering)


@router.post("/pairs/appels")
async def post_call(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given: dict[str, Any] = {k: str(v) for k, v in form.items()}
    slots = [str(s) for s in form.getlist("creneau")]
    given["creneaux"] = slots
    answering = None
    page.check_csrf(given.get("csrf"))
    try:
        if given.get("appel"):
            answering = await _open_call(page, given["appel"])
        body = call_body(given, slots)
        client = await matching_client(page)
        await client.post("/v1/peer-calls", body)
    except DomainError as exc:
        return _call_form(page, given, answering, exc.message, exc.status)
    return page.redirect("/pairs?notice=appel")


async def _act_on_call(
    page: Page,
    call_id: str,
    csrf: str | None,
    action: str,
    title: str,
    then: Callable[[Any], str],
) -> Response:
    """Post ``action`` on the call its address names, then go where ``then`` says from
    matching's answer; a refusal is told on a page of its own, back to the calls."""
    if page.me is None:
        return page.redirect("/connexion")
    page.check_csrf(csrf)
    try:
        if not _uuid(call_id):
            raise InvalidInput("Cette adresse ne désigne aucun appel à pairs.")
        client = await matching_client(page)
        answer = await client.post(f"/v1/peer-calls/{call_id}/{action}", {})
    except DomainError as exc:
        return failed(page, title, exc, "/pairs", "Revenir aux appels à pairs")
    return page.redirect(then(answer))


@router.post("/pairs/appels/{call_id}/retrait")
async def withdraw(page: PageDep, call_id: str, csrf: CsrfField = None) -> Response:
    return await _act_on_call(
        page, call_id, csrf, "withdraw", "Retirer l'appel", lambda _: "/pairs?notice=retire"
    )


@router.post("/pairs/appels/{call_id}/rejoindre")
async def join(page: PageDep, call_id: str, csrf: CsrfField = None) -> Response:
    return await _act_on_call(
        page, call_id, csrf, "join", "Rejoindre l'appel", lambda _: "/pairs?notice=rejoint"
    )


@router.post("/pairs/appels/{call_id}/groupe")
async def form_group(page: PageDep, call_id: str, csrf: CsrfField = None) -> Response:
    return await _act_on_call(
        page,
        call_id,
        csrf,
        "group",
        "Constituer le groupe",
        lambda group: f"/pairs/groupes/{group['group_id']}?notice=forme",
    )


async def _group_page(
    page: Page,
    group_id: str,
    *,
    notice: str = "",
    error: str = "",
    given: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    assert page.me is not None
    if not _uuid(group_id):
        return not_found(page)
    try:
        client = await matching_client(page)
        group = await client.get(f"/v1/peer-groups/{group_id}")
        sessions = await client.get("/v1/sessions", params={"related_id": group_id})
        try:
            slots = await client.get(f"/v1/peer-groups/{group_id}/common-slots")
        except DomainError:
            slots = None  # the group's own slots still show; the detail is a bonus
    except DomainError as exc:
        if exc.status == 404:
            return not_found(page)
        return failed(page, "Groupe d'entraide", exc, "/rencontres", "Revenir à mes rencontres")
    labels = await names(page, list(group["members"]))
    hidden = max(0, int(group["size"]) - len(group["members"]))
    mine = group.get("your_answer")
    return page.render(
        "matching/group.html",
        f"Groupe d'entraide — {group['theme_label']}",
        status=status,
        current="rencontres",
        group=group,
        status_label=GROUP_STATUS.get(group["status"], group["status"]),
        answer_label=ANSWERS.get(mine or "", "—"),
        members=[labels[m] for m in group["members"]],
        hidden=hidden,
        slots=slots,
        sessions=[session_view(s) for s in sessions],
        may_answer=mine == "pending",
        may_leave=mine == "accepted",
        may_schedule=mine == "accepted"
        and group["status"] == "confirmed"
        and not group["sessions"],
        notice=NOTICES.get(notice, ""),
        error=error,
        given=given or {},
    )


@router.get("/pairs/groupes/{group_id}")
async def group_page(page: PageDep, group_id: str, notice: str = "") -> Response:
    if page.me is None:
        return to_sign_in(page)
    return await _group_page(page, group_id, notice=notice)


@router.post("/pairs/groupes/{group_id}/reponse")
async def answer(
    page: PageDep,
    group_id: str,
    choix: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    back = f"/pairs/groupes/{group_id}"
    page.check_csrf(csrf)
    try:
        if not _uuid(group_id):
            raise InvalidInput("Cette adresse ne désigne aucun groupe.")
        if choix not in ("accepter", "decliner"):
            raise InvalidInput("Choisissez d'accepter ou de décliner votre place.")
        client = await matching_client(page)
        await client.post(f"/v1/peer-groups/{group_id}/answer", {"accept": choix == "accepter"})
    except DomainError as exc:
        return failed(page, "Répondre à l'invitation", exc, back, "Revenir au groupe")
    return page.redirect(f"{back}?notice={'accepte' if choix == 'accepter' else 'decline'}")


@router.post("/pairs/groupes/{group_id}/depart")
async def leave(page: PageDep, group_id: str, csrf: CsrfField = None) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    back = f"/pairs/groupes/{group_id}"
    page.check_csrf(csrf)
    try:
        if not _uuid(group_id):
            raise InvalidInput("Cette adresse ne désigne aucun groupe.")
        client = await matching_client(page)
        await client.post(f"/v1/peer-groups/{group_id}/leave", {})
    except DomainError as exc:
        return failed(page, "Quitter le groupe", exc, back, "Revenir au groupe")
    return page.redirect(f"{back}?notice=quitte")


@router.post("/pairs/groupes/{group_id}/seances")
async def schedule(page: PageDep, group_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    page.check_csrf(given.get("csrf"))
    try:
        if not _uuid(group_id):
            raise InvalidInput("Cette adresse ne désigne aucun groupe.")
        body = schedule_body(given)
        client = await matching_client(page)
        await client.post(f"/v1/peer-groups/{group_id}/sessions", body)
    except DomainError as exc:
        return await _group_page(page, group_id, error=exc.message, given=given, status=exc.status)
    return page.redirect(f"/pairs/groupes/{group_id}?notice=seances")
