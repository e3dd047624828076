"""The portal's client for the lending service: the one ``ServiceClient`` with lending's
errors (their codes say lending refused)."""

from __future__ import annotations

from deformations_common.vocabulary.errors import (
    ConflictError,
    DomainError,
    ForbiddenAction,
    InvalidInput,
)
from deformations_common.vocabulary.errors import NotFoundError as _NotFound
from deformations_portal.settings import DEFAULT_SERVICE_URLS
from deformations_portal.web.context import Page
from deformations_portal.web.service_client import Service, ServiceClient, my_client


class LendingInvalid(InvalidInput):
    code = "lending_invalid_input"


class LendingNotFound(_NotFound):
    code = "lending_not_found"


class LendingForbidden(ForbiddenAction):
    code = "lending_forbidden"


class LendingConflict(ConflictError):
    code = "lending_conflict"


class LendingUnavailable(DomainError):
    code, status = "lending_unavailable", 503


LENDING = Service(
    name="lending",
    default_url=DEFAULT_SERVICE_URLS["lending"],
    what="des prêts de compétences",
    errors={
        400: LendingInvalid,
        401: LendingForbidden,
        403: LendingForbidden,
        404: LendingNotFound,
        409: LendingConflict,
        422: LendingInvalid,
    },
    unavailable=LendingUnavailable,
)


async def lending_client(page: Page) -> ServiceClient:
    return await my_client(page, LENDING)
