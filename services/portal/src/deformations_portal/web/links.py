"""The pages the e-mails link to: each shows its thing from the owning service's API.

A link opened while signed out goes through sign-in and comes back (the ``portal_retour``
cookie). Actions (saving preferences) open a page with a button that POSTs with the CSRF
token: nothing changes on GET. A loan's page and its feedback (``/prets/…``) are the
lending pages' (``lending_loans``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import httpx
from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.collectivites import collectivite_name
from deformations_common.vocabulary.french import datetime_fr
from deformations_contracts.themes import label as theme_label
from deformations_portal.web.context import Page, PageDep, set_cookie
from deformations_portal.web.lending_view import SESSION_STATUS
from deformations_portal.web.pages import issuer_of

router = APIRouter(include_in_schema=False)

RETURN_COOKIE = "portal_retour"
CsrfField = Annotated[str | None, Form()]

_NOTICES = {
    "enregistre": "Vos préférences sont enregistrées.",
    "verifier": (
        "Vos préférences sont enregistrées. Un lien vient d'être envoyé à la nouvelle adresse "
        "pour la confirmer (valable 24 heures) ; d'ici là, vos notifications continuent "
        "d'arriver à votre adresse actuelle."
    ),
    "verifier-attente": (
        "Un lien vient d'être envoyé à cette adresse pour la confirmer (valable 24 heures). "
        "Vos notifications vous attendent : elles partiront dès l'adresse confirmée."
    ),
    "adresse-confirmee": "Votre adresse est confirmée : vos notifications y sont envoyées.",
}
_DIGESTS = {"immediate": "À chaque nouvelle", "daily": "Chaque jour", "weekly": "Chaque semaine"}


def safe_return(path: str | None) -> str | None:
    """A path of this site only (never ``//host`` nor a full URL): no open redirect."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path


def to_sign_in(page: Page) -> Response:
    """Sign in first, then come back to this very page."""
    response = page.redirect("/connexion")
    target = page.request.url.path
    if page.request.url.query:
        target += "?" + page.request.url.query
    set_cookie(response, page.settings, RETURN_COOKIE, target)
    return response


@dataclass
class Answer:
    status: int
    body: Any = None

    @property
    def ok(self) -> bool:
        return self.status < 400


async def call(
    page: Page,
    service: str,
    method: str,
    path: str,
    body: Any | None = None,
    *,
    proven_email: str | None = None,
) -> Answer:
    """The service's API as the signed-in person (a short token for its audience).

    ``proven_email``: an address the portal proved hers, which the token vouches for
    (notifications registers no other)."""
    assert page.me is not None
    base = page.settings.service_urls.get(service)
    if base is None:
        return Answer(503)
    issuer = await issuer_of(page)
    token = issuer.issue(
        page.me.person_id,
        page.me.acting,
        page.settings.audience_of(service),
        page.runtime.clock(),
        email=proven_email,
        email_verified=proven_email is not None,
    )
    try:
        response = await page.request.app.state.clients.http.request(
            method,
            base.rstrip("/") + path,
            json=body,
            headers={"authorization": f"Bearer {token}"},
            timeout=page.settings.service_timeout_s,
        )
    except httpx.HTTPError:
        return Answer(503)
    try:
        return Answer(response.status_code, response.json())
    except ValueError:
        return Answer(response.status_code)


@dataclass
class Shown:
    """A thing shown as a definition list, with its actions and links."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    actions: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)


def _unavailable(page: Page, answer: Answer, what: str) -> Response:
    if answer.status == 404:
        text, status = f"{what} n'existe pas ou n'est plus visible.", 404
    elif answer.status == 409:
        text, status = f"{what} n'est pas encore disponible.", 409
    elif answer.status in (401, 403):
        text, status = f"{what} n'est pas visible avec votre adhésion actuelle.", 403
    else:
        text, status = "Ce service est momentanément indisponible : réessayez bientôt.", 503
    return page.message(
        what, text, status=status, error=True, link={"href": "/espace", "text": "Mon espace"}
    )


def _when(value: str | None) -> str:
    return datetime_fr(datetime.fromisoformat(value)) if value else "—"


@router.get("/seances/{session_id}")
async def session_page(page: PageDep, session_id: UUID) -> Response:
    if page.me is None:
        return to_sign_in(page)
    # A group's, café's or evening's session is matching's, with its own page.
    planned = await call(page, "matching", "GET", f"/v1/sessions/{session_id}")
    if planned.ok:
        return page.redirect(f"/rencontres/seances/{session_id}")
    if page.me.acting is None:
        return _unavailable(page, Answer(403), "Cette séance")
    # A half-day belongs to a loan of the person's collectivité: found among its loans.
    answer = await call(page, "lending", "GET", "/v1/loans")
    if not answer.ok:
        return _unavailable(page, answer, "Cette séance")
    for loan in answer.body:
        for session in loan.get("sessions", []):
            if session["id"] == str(session_id):
                place = "à distance" if session.get("remote") else session.get("place_label")
                shown = Shown(
                    [
                        ("Séance", session["label"]),
                        ("Jour", session["day"]),
                        ("Lieu", place or "à préciser"),
                        ("État", SESSION_STATUS.get(session["status"], session["status"])),
                    ],
                    links=[{"href": f"/prets/{loan['id']}", "text": "La mise à disposition"}],
                )
                return page.render("thing.html", "Séance", shown=shown, notice="")
    return _unavailable(page, Answer(404), "Cette séance")


@router.get("/propositions/{proposal_id}")
async def proposal_page(page: PageDep, proposal_id: UUID) -> Response:
    if page.me is None:
        return to_sign_in(page)
    answer = await call(page, "matching", "GET", "/v1/proposals")
    if not answer.ok:
        return _unavailable(page, answer, "Cette proposition")
    items = answer.body if isinstance(answer.body, list) else answer.body.get("items", [])
    for item in items:
        if str(item.get("proposal_id") or item.get("id")) == str(proposal_id):
            # A peer group's proposal names its group (a replacement's has an id of its
            # own), a rotation bears the evening's id.
            if item.get("kind") == "peer_group":
                return page.redirect(f"/pairs/groupes/{item.get('group_id') or proposal_id}")
            if item.get("kind") == "speed_dating_rotation":
                return page.redirect(f"/speed-dating/{proposal_id}")
            return await _proposal(page, item)
    return _unavailable(page, Answer(404), "Cette proposition")


# What a proposal is, in the words of the mail that announced it.
PROPOSAL_KINDS = {
    "need_offer": "Une compétence qui correspond à un besoin",
    "grouped_offer": "Une compétence pour plusieurs collectivités",
    "elu_technicien_pair": "Un binôme élu·e–technicien·ne pour un petit café mensuel",
}


async def _proposal(page: Page, item: dict[str, Any]) -> Response:
    """A proposal with nothing to answer here: what it is, why, and a pair's cafés (each
    one's page, where its invitation can be found again)."""
    kind = str(item.get("kind", ""))
    rows = [("Proposition", PROPOSAL_KINDS.get(kind, "Une mise en relation"))]
    if item.get("theme"):
        rows.append(("Thème", theme_label(str(item["theme"]))))
    for reason in item.get("reasons", []):
        rows.append(("Pourquoi", str(reason)))
    links = []
    if kind == "elu_technicien_pair":
        sessions = await call(
            page, "matching", "GET", f"/v1/sessions?related_id={item['proposal_id']}"
        )
        found = sessions.body if sessions.ok else []
        for session in sorted(found, key=lambda s: str(s["starts_at"])):
            state = " (annulé)" if session.get("cancelled") else ""
            links.append(
                {
                    "href": f"/rencontres/seances/{session['session_id']}",
                    "text": f"{session.get('title') or 'Café'} : {_when(session['starts_at'])}"
                    + state,
                }
            )
    shown = Shown(rows, links=links)
    return page.render("thing.html", "Proposition", shown=shown, notice="")


@router.get("/diagnostic/resultats/{response_id}")
async def diagnosis_result(page: PageDep, response_id: UUID) -> Response:
    # The quiz's result page is the diagnosis service's, at the same address.
    return page.redirect(f"/resultats/{response_id}")


@router.get("/campagnes/{campaign_id}/resultats")
async def campaign_results(page: PageDep, campaign_id: UUID) -> Response:
    if page.me is None:
        return to_sign_in(page)
    answer = await call(page, "diagnosis", "GET", f"/v1/campaigns/{campaign_id}/collective")
    if not answer.ok:
        return _unavailable(page, answer, "Ce résultat collectif")
    body = answer.body if isinstance(answer.body, dict) else {}
    rows = [("Équipe", str(body.get("team_label") or "—"))]
    rows += [("Réponses", str(body.get("response_count", body.get("responses", "—"))))]
    if body.get("collectivite_siren"):
        rows.append(("Collectivité", collectivite_name(body["collectivite_siren"])))
    themes: list[Any] = body.get("shared_priority_themes") or body.get("priority_themes") or []
    for theme in themes:
        rows.append(("Thème prioritaire", str(theme)))
    return page.render("thing.html", "Résultat collectif", shown=Shown(rows), notice="")


@router.get("/preferences")
async def preferences(page: PageDep, notice: str = "") -> Response:
    if page.me is None:
        return to_sign_in(page)
    answer = await call(page, "notifications", "GET", "/v1/me/recipient")
    if answer.status == 404:
        recipient: dict[str, Any] | None = None
    elif not answer.ok:
        return _unavailable(page, answer, "Vos préférences")
    else:
        recipient = answer.body
    return page.render(
        "preferences.html",
        "Mes préférences de notification",
        recipient=recipient,
        digests=_DIGESTS,
        notice=_NOTICES.get(notice, ""),
    )
