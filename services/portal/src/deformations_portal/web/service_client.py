"""The portal's one client for a service's HTTP API: the person's short token on every call.

The service's problem details become domain errors of the same status, so the pages show
the service's own French ``detail`` and nothing is mapped by hand. Each service names its
error classes (their ``code`` says which service refused) and how it is called in French.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from deformations_common.vocabulary.errors import DomainError
from deformations_portal.domain.memberships import Membership
from deformations_portal.service.tokens import TokenIssuer
from deformations_portal.settings import PortalSettings
from deformations_portal.web.context import Page
from deformations_portal.web.pages import issuer_of


@dataclass(frozen=True)
class Service:
    """A service as the portal calls it."""

    name: str  # its key in SERVICE_URLS and its token audience
    default_url: str | None  # where `make run` serves it when SERVICE_URLS does not say
    what: str  # « des formations »: the French end of « Le service … ne répond pas »
    errors: Mapping[int, type[DomainError]]  # by HTTP status of the refusal
    unavailable: type[DomainError]  # anything else: down, 5xx, unreadable

    def down(self) -> DomainError:
        return self.unavailable(
            f"Le service {self.what} ne répond pas ; réessayez dans un instant."
        )


def problem(service: Service, response: httpx.Response) -> DomainError:
    """The French error a refused call becomes (the service's ``detail`` when it has one)."""
    detail = None
    code = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        detail = body.get("detail")
        code = body.get("code")
        if isinstance(detail, list):  # FastAPI's validation errors before the rules run
            detail = "Certaines valeurs du formulaire ne sont pas valables : vérifiez-les."
    kind = service.errors.get(response.status_code)
    if kind is None:
        return service.down()
    if not isinstance(detail, str) or not detail:
        detail = f"La demande a été refusée par le service {service.what}."
    # A refusal listing several problems (a file checked whole) keeps them, to show each.
    problems = body.get("problems") if isinstance(body, dict) else None
    if isinstance(problems, list) and all(isinstance(p, str) for p in problems):
        return kind(detail, upstream_code=code, problems=problems)
    return kind(detail, upstream_code=code)


@dataclass(frozen=True)
class Document:
    """A file a service renders (a convention in PDF…), passed through as it is."""

    content: bytes
    media_type: str
    disposition: str | None


class ServiceClient:
    """Calls to one service in the name of one person acting (or not) for a collectivité."""

    def __init__(
        self,
        service: Service,
        settings: PortalSettings,
        issuer: TokenIssuer,
        http: httpx.AsyncClient,
        person_id: uuid.UUID | None,
        acting: Membership | None,
        now: datetime,
    ) -> None:
        """``person_id`` None: an anonymous visitor, the call carries no token (for the
        few reads a service keeps public)."""
        self.service = service
        self._settings = settings
        self._issuer = issuer
        self._http = http
        self._person_id = person_id
        self._acting = acting
        self._now = now

    async def _send(self, method: str, path: str, json: Any, params: Any) -> httpx.Response:
        base = self._settings.service_urls.get(self.service.name, self.service.default_url)
        if base is None:
            raise self.service.down()
        headers = {}
        if self._person_id is not None:
            token = self._issuer.issue(
                self._person_id,
                self._acting,
                self._settings.audience_of(self.service.name),
                self._now,
            )
            headers["authorization"] = f"Bearer {token}"
        try:
            response = await self._http.request(
                method,
                base.rstrip("/") + path,
                json=json,
                params=params,
                headers=headers,
                timeout=self._settings.service_timeout_s,
            )
        except httpx.HTTPError:
            raise self.service.down() from None
        if response.status_code >= 400:
            raise problem(self.service, response)
        return response

    async def call(self, method: str, path: str, *, json: Any = None, params: Any = None) -> Any:
        response = await self._send(method, path, json, params)
        try:
            return response.json()
        except ValueError:
            raise self.service.down() from None

    async def get(self, path: str, params: Any = None) -> Any:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any) -> Any:
        return await self.call("POST", path, json=body)

    async def put(self, path: str, body: Any) -> Any:
        return await self.call("PUT", path, json=body)

    async def document(self, path: str) -> Document:
        """A rendered file (HTML or PDF), for the portal to hand on: the token stays here."""
        response = await self._send("GET", path, None, None)
        return Document(
            response.content,
            response.headers.get("content-type", "application/octet-stream"),
            response.headers.get("content-disposition"),
        )


async def client_for(page: Page, service: Service, acting: Membership) -> ServiceClient:
    """``service`` called by the signed-in person as ``acting`` (one of her memberships: the
    operator's, for the back-office), whatever she acts for on the other pages."""
    return ServiceClient(
        service,
        page.settings,
        await issuer_of(page),
        page.request.app.state.clients.http,
        acting.person_id,
        acting,
        page.runtime.clock(),
    )


async def my_client(page: Page, service: Service) -> ServiceClient:
    """``service`` called by the signed-in person, acting as she acts now on the site."""
    assert page.me is not None
    return ServiceClient(
        service,
        page.settings,
        await issuer_of(page),
        page.request.app.state.clients.http,
        page.me.person_id,
        page.me.acting,
        page.runtime.clock(),
    )
