"""The portal's client for the diagnosis service: the one ``ServiceClient`` with
diagnosis's errors (their codes say diagnosis refused)."""

from __future__ import annotations

from deformations_common.vocabulary.errors import (
    ConflictError,
    DomainError,
    ForbiddenAction,
    InvalidInput,
)
from deformations_common.vocabulary.errors import NotFoundError as _NotFound
from deformations_portal.domain.memberships import Membership
from deformations_portal.settings import DEFAULT_SERVICE_URLS
from deformations_portal.web.context import Page
from deformations_portal.web.pages import client_as
from deformations_portal.web.service_client import Service, ServiceClient


class DiagnosisInvalid(InvalidInput):
    code = "diagnosis_invalid_input"


class DiagnosisNotFound(_NotFound):
    code = "diagnosis_not_found"


class DiagnosisForbidden(ForbiddenAction):
    code = "diagnosis_forbidden"


class DiagnosisConflict(ConflictError):
    code = "diagnosis_conflict"


class DiagnosisUnavailable(DomainError):
    code, status = "diagnosis_unavailable", 503


DIAGNOSIS = Service(
    name="diagnosis",
    default_url=DEFAULT_SERVICE_URLS["diagnosis"],
    what="de l'autodiagnostic",
    errors={
        400: DiagnosisInvalid,
        401: DiagnosisForbidden,
        403: DiagnosisForbidden,
        404: DiagnosisNotFound,
        409: DiagnosisConflict,
        422: DiagnosisInvalid,
    },
    unavailable=DiagnosisUnavailable,
)


async def diagnosis_client(page: Page, acting: Membership) -> ServiceClient:
    """Diagnosis called as ``acting`` (the operator's membership, for the back-office)."""
    return await client_as(page, DIAGNOSIS, acting)
