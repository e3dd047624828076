"""« Mes rencontres »: one's groups, cafés, evenings and their sessions; a session's page,
where its organiser moves or cancels it.

Matching has no "my meetings" list: they are the proposals where one is a member (a peer
group's proposal names its group, a rotation bears the evening's id), each with its
sessions."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.roles import Role
from deformations_contracts.themes import label as theme_label
from deformations_portal.web.context import Page, PageDep, not_found
from deformations_portal.web.links import to_sign_in
from deformations_portal.web.matching_client import MatchingClient
from deformations_portal.web.matching_forms import cancel_body, reschedule_body
from deformations_portal.web.meetings import (
    GROUP_STATUS,
    failed,
    matching_client,
    session_view,
)
from deformations_portal.web.meetings_gatherings import evening_epci

router = APIRouter(include_in_schema=False)

MAX_SHOWN = 20
NOTICES = {
    "deplacee": "La séance est déplacée : les participants reçoivent la nouvelle invitation.",
    "annulee": "La séance est annulée : les participants sont prévenus.",
}


def organises(page: Page, *roles: Role) -> bool:
    acting = page.me.acting if page.me is not None else None
    return acting is not None and acting.validated and acting.role in roles


async def _group(client: MatchingClient, group_id: str) -> dict[str, Any] | None:
    try:
        return dict(await client.get(f"/v1/peer-groups/{group_id}"))
    except DomainError as exc:
        # A group one is no longer in (left it), or gone.
        if exc.status in (403, 404):
            return None
        raise


async def _sessions(client: MatchingClient, related: list[str]) -> list[dict[str, Any]]:
    found = await asyncio.gather(
        *(client.get("/v1/sessions", params={"related_id": r}) for r in related)
    )
    return [s for batch in found for s in batch]


@router.get("/rencontres")
async def meetings(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    try:
        client = await matching_client(page)
        proposals = await client.get("/v1/proposals")
        mine = [p for p in proposals if str(page.me.person_id) in p.get("members", [])]
        mine = mine[:MAX_SHOWN]
        # A replacement's proposal and the first one name the same group: shown once.
        group_ids = {
            p.get("group_id") or p["proposal_id"]: None for p in mine if p["kind"] == "peer_group"
        }
        groups = [
            g
            for g in await asyncio.gather(*(_group(client, g) for g in group_ids))
            if g is not None
        ]
        cafes = [p for p in mine if p["kind"] == "elu_technicien_pair"]
        evenings = [p for p in mine if p["kind"] == "speed_dating_rotation"]
        related = [
            *(str(g["group_id"]) for g in groups),
            *(p["proposal_id"] for p in cafes),
            *(p["proposal_id"] for p in evenings),
        ]
        sessions = await _sessions(client, related)
    except DomainError as exc:
        return failed(page, "Mes rencontres", exc, "/espace", "Revenir à mon espace")
    now = page.runtime.clock()
    upcoming = sorted(
        (s for s in sessions if not s["cancelled"] and datetime.fromisoformat(s["ends_at"]) >= now),
        key=lambda s: datetime.fromisoformat(s["starts_at"]),
    )
    return page.render(
        "matching/meetings.html",
        "Mes rencontres",
        current="rencontres",
        groups=[{**g, "status_label": GROUP_STATUS.get(g["status"], "")} for g in groups],
        cafes=[
            {**p, "theme_label": theme_label(p["theme"]) if p.get("theme") else "Café"}
            for p in cafes
        ],
        evenings=evenings,
        sessions=[session_view(s) for s in upcoming],
        may_cafe=organises(page, Role.HR, Role.ELECTED, Role.OPERATOR),
        acting_member=organises(page, *Role),
        may_evening=evening_epci(page) is not None,
    )


def _related_link(session: dict[str, Any]) -> dict[str, str]:
    related = session["related_id"]
    if session["kind"] == "peer_group":
        return {"href": f"/pairs/groupes/{related}", "text": "Le groupe d'entraide"}
    if session["kind"] == "speed_dating_round":
        return {"href": f"/speed-dating/{related}", "text": "La soirée de speed dating"}
    return {"href": "/rencontres", "text": "Mes rencontres"}


def _session_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput("Cette adresse ne désigne aucune séance.") from None


async def _session_page(
    page: Page,
    session_id: str,
    *,
    notice: str = "",
    error: str = "",
    given: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    try:
        client = await matching_client(page)
        session = await client.get(f"/v1/sessions/{_session_id(session_id)}")
    except DomainError as exc:
        if exc.status == 404 or isinstance(exc, InvalidInput):
            return not_found(page)
        return failed(page, "Séance", exc, "/rencontres", "Revenir à mes rencontres")
    view = session_view(session)
    return page.render(
        "matching/session.html",
        view["title"] or view["kind_label"],
        status=status,
        current="rencontres",
        session=view,
        related=_related_link(session),
        notice=NOTICES.get(notice, ""),
        error=error,
        given=given or {},
    )


@router.get("/rencontres/seances/{session_id}")
async def session_page(page: PageDep, session_id: str, notice: str = "") -> Response:
    if page.me is None:
        return to_sign_in(page)
    return await _session_page(page, session_id, notice=notice)


async def _change(page: Page, session_id: str, action: str) -> Response:
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    page.check_csrf(given.get("csrf"))
    try:
        target = _session_id(session_id)
        if action == "deplacer":
            body = reschedule_body(given)
            path = f"/v1/sessions/{target}/reschedule"
        else:
            body = cancel_body(given)
            path = f"/v1/sessions/{target}/cancel"
        client = await matching_client(page)
        await client.post(path, body)
    except DomainError as exc:
        return await _session_page(
            page, session_id, error=exc.message, given=given, status=exc.status
        )
    done = "deplacee" if action == "deplacer" else "annulee"
    return page.redirect(f"/rencontres/seances/{session_id}?notice={done}")


@router.post("/rencontres/seances/{session_id}/deplacer")
async def reschedule(page: PageDep, session_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    return await _change(page, session_id, "deplacer")


@router.post("/rencontres/seances/{session_id}/annuler")
async def cancel(page: PageDep, session_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    return await _change(page, session_id, "annuler")
