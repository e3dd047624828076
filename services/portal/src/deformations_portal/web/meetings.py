"""What the meeting pages share: matching as the signed-in person, French labels, names.

Groups, cafés and evenings belong to matching; the portal shows them from its API with
the person's own token and names people only where matching already shows them."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_common.vocabulary.french import date_fr, time_fr
from deformations_portal.service.meeting_people import names_of
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page
from deformations_portal.web.matching_client import MATCHING, MatchingClient
from deformations_portal.web.pages import issuer_of

GROUP_STATUS = {
    "pending": "en attente des réponses",
    "confirmed": "confirmé : tout le monde a accepté",
    "too_few": "trop de refus : l'appel est rouvert",
}
ANSWERS = {
    "pending": "pas encore répondu",
    "accepted": "acceptée",
    "declined": "déclinée",
    "left": "vous avez quitté le groupe",
}
CALL_STATUS = {"open": "ouvert", "grouped": "groupe proposé", "withdrawn": "retiré"}
SESSION_KINDS = {
    "peer_group": "Groupe d'entraide",
    "cafe_elus_techniciens": "Café élu·e–technicien·ne",
    "speed_dating_round": "Speed dating entre voisins",
}


async def matching_client(page: Page) -> MatchingClient:
    assert page.me is not None
    return MatchingClient(
        MATCHING,
        page.settings,
        await issuer_of(page),
        page.request.app.state.clients.http,
        page.me.person_id,
        page.me.acting,
        page.runtime.clock(),
    )


def failed(page: Page, title: str, error: DomainError, back: str, text: str) -> Response:
    return page.message(
        title, error.message, status=error.status, error=True, link={"href": back, "text": text}
    )


async def names(page: Page, person_ids: list[str], *, with_address: bool = False) -> dict[str, str]:
    """A label for each person: « vous », their name, else « membre n » (in this order);
    ``with_address``: their address before « membre n », for an organiser's pick."""
    assert page.me is not None
    me = str(page.me.person_id)
    async with page.runtime.begin(PortalUow) as uow:
        found = await names_of(uow, [p for p in person_ids if p != me], with_address=with_address)
    labels: dict[str, str] = {}
    for number, person in enumerate(person_ids, start=1):
        labels[person] = "vous" if person == me else (found.get(person) or f"membre {number}")
    return labels


def when(value: str) -> str:
    return f"{date_fr(value)}, {time_fr(value)}"


def session_view(s: dict[str, Any]) -> dict[str, Any]:
    return {
        **s,
        "kind_label": SESSION_KINDS.get(s.get("kind", ""), "Rencontre"),
        "day": date_fr(s["starts_at"]),
        "hours": f"{time_fr(s['starts_at'])} – {time_fr(s['ends_at'])}",
        "place": "à distance" if s.get("remote") else (s.get("place_label") or "à préciser"),
    }


def is_me(page: Page, person: str | None) -> bool:
    return page.me is not None and person == str(page.me.person_id)
