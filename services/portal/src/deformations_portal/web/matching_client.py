"""The portal's client for the matching service: the person's short token on every call.

The same shape as ``training_client`` (the lead folds both into one ``ServiceClient``):
the service's problem details become domain errors of the same status, so the pages show
matching's own French ``detail`` and nothing is mapped by hand.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx

from deformations_common.vocabulary.errors import (
    ConflictError,
    DomainError,
    ForbiddenAction,
    GoneError,
    InvalidInput,
)
from deformations_common.vocabulary.errors import NotFoundError as _NotFound
from deformations_portal.domain.memberships import Membership
from deformations_portal.service.tokens import TokenIssuer
from deformations_portal.settings import PortalSettings

SERVICE = "matching"
# Where `make run` serves matching when SERVICE_URLS does not name it.
DEFAULT_URL = "http://127.0.0.1:8002"


class MatchingInvalid(InvalidInput):
    code = "matching_invalid_input"


class MatchingNotFound(_NotFound):
    code = "matching_not_found"


class MatchingForbidden(ForbiddenAction):
    code = "matching_forbidden"


class MatchingConflict(ConflictError):
    code = "matching_conflict"


class MatchingGone(GoneError):
    code = "matching_gone"


class MatchingUnavailable(DomainError):
    code, status = "matching_unavailable", 503


_BY_STATUS: dict[int, type[DomainError]] = {
    400: MatchingInvalid,
    403: MatchingForbidden,
    401: MatchingForbidden,
    404: MatchingNotFound,
    409: MatchingConflict,
    410: MatchingGone,
    422: MatchingInvalid,
}


def problem(response: httpx.Response) -> DomainError:
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
        if isinstance(detail, list):  # FastAPI's validation errors before our rules run
            detail = "Certaines valeurs du formulaire ne sont pas valables : vérifiez-les."
    kind = _BY_STATUS.get(response.status_code, MatchingUnavailable)
    if not isinstance(detail, str) or not detail:
        detail = (
            "Le service de mise en relation ne répond pas ; réessayez dans un instant."
            if kind is MatchingUnavailable
            else "La demande a été refusée par le service de mise en relation."
        )
    return kind(detail, upstream_code=code)


class MatchingClient:
    """Calls to training in the name of one person acting (or not) for a collectivité."""

    def __init__(
        self,
        settings: PortalSettings,
        issuer: TokenIssuer,
        http: httpx.AsyncClient,
        person_id: uuid.UUID,
        acting: Membership | None,
        now: datetime,
    ) -> None:
        self._settings = settings
        self._issuer = issuer
        self._http = http
        self._person_id = person_id
        self._acting = acting
        self._now = now

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
    ) -> Any:
        base = self._settings.service_urls.get(SERVICE, DEFAULT_URL)
        token = self._issuer.issue(
            self._person_id, self._acting, self._settings.audience_of(SERVICE), self._now
        )
        try:
            response = await self._http.request(
                method,
                base.rstrip("/") + path,
                json=json,
                params=params,
                headers={"authorization": f"Bearer {token}"},
                timeout=self._settings.service_timeout_s,
            )
        except httpx.HTTPError:
            raise MatchingUnavailable(
                "Le service de mise en relation ne répond pas ; réessayez dans un instant."
            ) from None
        if response.status_code >= 400:
            raise problem(response)
        return response.json()

    async def get(self, path: str, params: Any = None) -> Any:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any) -> Any:
        return await self.call("POST", path, json=body)

    async def put(self, path: str, body: Any) -> Any:
        return await self.call("PUT", path, json=body)
