"""« Mon espace »: each section comes from the service that owns it, with the person's token.

The calls run side by side, each with its own short token for that service's audience; a
service that does not answer leaves its section saying so, the page still renders.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from deformations_common.vocabulary.french import date_fr, datetime_fr
from deformations_contracts.catalogue.recipes import Recipe, load_catalogue
from deformations_portal.domain.memberships import Membership
from deformations_portal.service.tokens import TokenIssuer
from deformations_portal.settings import PortalSettings


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    service: str
    path: str | None  # None: no endpoint yet (« bientôt »), or only its page (``more``)
    needs_authority: bool = False
    more: tuple[tuple[str, str], ...] = ()  # (href, text): its own pages


SECTIONS = (
    Section(
        "diagnostics",
        "Mes diagnostics",
        "diagnosis",
        "/v1/me/responses",
        more=(
            ("/espace/diagnostics", "Tous mes diagnostics"),
            ("/espace/autodiagnostic", "Faire mon autodiagnostic"),
        ),
    ),
    Section("etapes", "Mes prochaines étapes", "matching", "/v1/recommendations/me"),
    # Gathered from three services on its own page.
    Section(
        "agenda",
        "Mon agenda",
        "matching",
        None,
        more=(("/espace/agenda", "Voir mon agenda"), ("/espace/agenda.ics", "Fichier .ics")),
    ),
    Section("prets", "Les prêts de ma collectivité", "lending", "/v1/loans", True),
    Section("notifications", "Mes notifications", "notifications", "/v1/me/notifications"),
    # The form is the only way to be told by mail (a loan waiting for one's approval…):
    # reachable from here, not only from the mails' footer.
    Section(
        "preferences",
        "Mes préférences",
        "notifications",
        "/v1/me/recipient",
        more=(("/preferences", "Choisir où et quand être prévenu·e"),),
    ),
)


@dataclass(frozen=True)
class Line:
    text: str
    href: str | None = None
    detail: str = ""  # shown under the line: a next step's recipe text


@dataclass
class Filled:
    section: Section
    state: str  # "ok", "empty", "soon", "page", "unavailable", "needs_membership"
    lines: list[Line] = field(default_factory=list)


async def fill(
    settings: PortalSettings,
    issuer: TokenIssuer,
    client: httpx.AsyncClient,
    person_id: uuid.UUID,
    acting: Membership | None,
    now: datetime,
) -> list[Filled]:
    async def one(section: Section) -> Filled:
        if section.path is None:
            return Filled(section, "page" if section.more else "soon")
        if section.needs_authority and acting is None:
            return Filled(section, "needs_membership")
        base = settings.service_urls.get(section.service)
        if base is None:
            return Filled(section, "unavailable")
        token = issuer.issue(person_id, acting, settings.audience_of(section.service), now)
        try:
            response = await client.get(
                base.rstrip("/") + section.path,
                headers={"authorization": f"Bearer {token}"},
                timeout=settings.service_timeout_s,
            )
        except httpx.HTTPError:
            return Filled(section, "unavailable")
        if response.status_code == 404:
            return Filled(section, "empty")
        if response.status_code >= 400:
            return Filled(section, "unavailable")
        try:
            lines = LINES[section.key](response.json())
        except (ValueError, TypeError, KeyError, AttributeError):
            return Filled(section, "unavailable")
        return Filled(section, "ok" if lines else "empty", lines)

    return list(await asyncio.gather(*(one(s) for s in SECTIONS)))


_EVENT_LABELS = {
    "diagnosis.completed.v1": "Résultat de votre autodiagnostic",
    "diagnosis.team_updated.v1": "Résultat collectif de votre équipe",
    "match.proposed.v1": "Une proposition de mise en relation",
    "loan.agreed.v1": "Un prêt de compétences est convenu",
    "loan.completed.v1": "Un prêt de compétences est terminé",
    "loan.cancelled.v1": "Un prêt de compétences est annulé",
    "session.scheduled.v1": "Une séance est programmée",
    "session.rescheduled.v1": "Une séance est déplacée",
    "session.cancelled.v1": "Une séance est annulée",
}
_DIGEST = {"immediate": "à chaque nouvelle", "daily": "chaque jour", "weekly": "chaque semaine"}
_CHANNELS = {"email": "courriel", "webhook": "webhook", "sms": "SMS"}


def _loans(body: Any) -> list[Line]:
    return [
        Line(
            f"{loan['theme_label']} : {loan['half_days']} demi-journée(s), "
            f"de {loan['lender']['name']} à {loan['borrower']['name']} "
            f"({loan['status_label']})",
            f"/prets/{loan['id']}",
        )
        for loan in body[:20]
    ]


def _notifications(body: Any) -> list[Line]:
    lines = []
    for item in body[:20]:
        label = _EVENT_LABELS.get(item.get("event_type"), "Notification")
        when = item.get("created_at")
        lines.append(Line(f"{label} — {datetime_fr(when)}" if when else label))
    return lines


def _preferences(body: Any) -> list[Line]:
    channels = ", ".join(_CHANNELS.get(c, c) for c in body.get("channels", [])) or "aucun"
    lines = [Line(f"Canal : {channels}")]
    quiet = body.get("quiet_hours")
    if quiet:
        lines.append(Line(f"Heures calmes : de {quiet['start'][:5]} à {quiet['end'][:5]}"))
    digest = body.get("digest") or {}
    frequency = digest.get("frequency", "immediate")
    lines.append(Line(f"Envoi des nouvelles : {_DIGEST.get(frequency, frequency)}"))
    return lines


def _diagnostics(body: Any) -> list[Line]:
    return [
        Line(
            f"{date_fr(r['completed_at'])} : {r['summary']['family_name']}",
            f"/espace/diagnostics/{r['response_id']}",
        )
        for r in body["responses"][:3]
    ]


def recipe_text(code: str) -> str:
    """What the booklet says of a recipe (its summary) or of an idea (its description);
    nothing for a code the catalogue does not know, the step still shows."""
    try:
        found = load_catalogue().find(code)
    except KeyError:
        return ""
    return found.summary if isinstance(found, Recipe) else found.description


def _next_steps(body: Any) -> list[Line]:
    return [
        Line(
            f"{step['title']} — {step['reason']}",
            f"/recettes/{step['code']}",
            recipe_text(step["code"]),
        )
        for step in body[:10]
    ]


LINES: dict[str, Callable[[Any], list[Line]]] = {
    "prets": _loans,
    "notifications": _notifications,
    "preferences": _preferences,
    "etapes": _next_steps,
    "diagnostics": _diagnostics,
}
