"""The portal's client for the matching service: the one ``ServiceClient`` with matching's
errors (their codes say matching refused)."""

from __future__ import annotations

import httpx

from deformations_common.vocabulary.errors import (
    ConflictError,
    DomainError,
    ForbiddenAction,
    GoneError,
    InvalidInput,
)
from deformations_common.vocabulary.errors import NotFoundError as _NotFound
from deformations_portal.settings import DEFAULT_SERVICE_URLS
from deformations_portal.web import service_client
from deformations_portal.web.service_client import Service, ServiceClient


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


MATCHING = Service(
    name="matching",
    default_url=DEFAULT_SERVICE_URLS["matching"],
    what="de mise en relation",
    errors={
        400: MatchingInvalid,
        401: MatchingForbidden,
        403: MatchingForbidden,
        404: MatchingNotFound,
        409: MatchingConflict,
        410: MatchingGone,
        422: MatchingInvalid,
    },
    unavailable=MatchingUnavailable,
)

MatchingClient = ServiceClient


def problem(response: httpx.Response) -> DomainError:
    """The French error a refused call to matching becomes."""
    return service_client.problem(MATCHING, response)
