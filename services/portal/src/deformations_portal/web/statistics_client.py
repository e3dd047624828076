"""The portal's client for the statistics service: the one ``ServiceClient`` with
statistics' errors, and the public open-data export (no token: it is public)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx

from deformations_common.vocabulary.errors import DomainError, ForbiddenAction, InvalidInput
from deformations_common.vocabulary.errors import NotFoundError as _NotFound
from deformations_portal.domain.memberships import Membership
from deformations_portal.service.tokens import TokenIssuer
from deformations_portal.settings import PortalSettings
from deformations_portal.web.service_client import Service, ServiceClient

SERVICE = "statistics"
# Where `make run` serves statistics when SERVICE_URLS does not name it.
DEFAULT_URL = "http://127.0.0.1:8007"
OPEN_DATA = "/v1/open-data"


class StatisticsInvalid(InvalidInput):
    code = "statistics_invalid_input"


class StatisticsNotFound(_NotFound):
    code = "statistics_not_found"


class StatisticsForbidden(ForbiddenAction):
    code = "statistics_forbidden"


class StatisticsUnavailable(DomainError):
    code, status = "statistics_unavailable", 503


STATISTICS = Service(
    name=SERVICE,
    default_url=DEFAULT_URL,
    what="des statistiques",
    errors={
        400: StatisticsInvalid,
        401: StatisticsForbidden,
        403: StatisticsForbidden,
        404: StatisticsNotFound,
        422: StatisticsInvalid,
    },
    unavailable=StatisticsUnavailable,
)


class StatisticsClient(ServiceClient):
    """Calls to statistics in the name of an operator or a partner."""

    def __init__(
        self,
        settings: PortalSettings,
        issuer: TokenIssuer,
        http: httpx.AsyncClient,
        person_id: uuid.UUID,
        acting: Membership,
        now: datetime,
    ) -> None:
        super().__init__(STATISTICS, settings, issuer, http, person_id, acting, now)


async def open_data(settings: PortalSettings, http: httpx.AsyncClient) -> dict[str, Any]:
    """The public open-data export, as anyone may read it (no token)."""
    base = settings.service_urls.get(SERVICE, DEFAULT_URL)
    try:
        response = await http.get(base.rstrip("/") + OPEN_DATA, timeout=settings.service_timeout_s)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError):
        raise STATISTICS.down() from None
    if not isinstance(body, dict):
        raise STATISTICS.down()
    return body
