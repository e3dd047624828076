"""« Mon espace »: each section comes from the service that owns it, with the person's token.

The calls run side by side, each with its own short token for that service's audience; a
service that does not answer leaves its section saying so, the page still renders.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from deformations_portal.domain.memberships import Membership
from deformations_portal.service.tokens import TokenIssuer
from deformations_portal.settings import PortalSettings


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    service: str
    path: str | None  # None: no endpoint yet (« bientôt »)
    needs_authority: bool = False


SECTIONS = (
    Section("diagnostics", "Mes diagnostics", "diagnosis", None),
    Section("etapes", "Mes prochaines étapes", "matching", "/v1/recommendations/me"),
    Section("agenda", "Mon agenda", "matching", None),
    Section("prets", "Les prêts de ma collectivité", "lending", "/v1/loans", True),
    Section("notifications", "Mes notifications", "notifications", "/v1/me/notifications"),
    Section("preferences", "Mes préférences", "notifications", "/v1/me/recipient"),
)


@dataclass
class Filled:
    section: Section
    state: str  # "ok", "empty", "soon", "unavailable", "needs_membership"
    data: Any = None
    items: list[Any] = field(default_factory=list)


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
            return Filled(section, "soon")
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
        body = response.json()
        if isinstance(body, list):
            return Filled(section, "ok" if body else "empty", body, body[:20])
        return Filled(section, "ok", body)

    return list(await asyncio.gather(*(one(s) for s in SECTIONS)))
