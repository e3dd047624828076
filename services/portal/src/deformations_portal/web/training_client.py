"""The portal's client for the training service: the one ``ServiceClient`` with
training's errors (their codes say training refused)."""

from __future__ import annotations

import uuid
from datetime import datetime

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
from deformations_portal.web.service_client import Service, ServiceClient
from deformations_portal.web.service_client import problem as service_problem

SERVICE = "training"
# Where `make run` serves training when SERVICE_URLS does not name it.
DEFAULT_URL = "http://127.0.0.1:8006"


class TrainingInvalid(InvalidInput):
    code = "training_invalid_input"


class TrainingNotFound(_NotFound):
    code = "training_not_found"


class TrainingForbidden(ForbiddenAction):
    code = "training_forbidden"


class TrainingConflict(ConflictError):
    code = "training_conflict"


class TrainingGone(GoneError):
    code = "training_gone"


class TrainingUnavailable(DomainError):
    code, status = "training_unavailable", 503


TRAINING = Service(
    name=SERVICE,
    default_url=DEFAULT_URL,
    what="des formations",
    errors={
        400: TrainingInvalid,
        403: TrainingForbidden,
        401: TrainingForbidden,
        404: TrainingNotFound,
        409: TrainingConflict,
        410: TrainingGone,
        422: TrainingInvalid,
    },
    unavailable=TrainingUnavailable,
)


def problem(response: httpx.Response) -> DomainError:
    """The French error a refused call to training becomes."""
    return service_problem(TRAINING, response)


class TrainingClient(ServiceClient):
    """Calls to training in the name of one person acting (or not) for a collectivité."""

    def __init__(
        self,
        settings: PortalSettings,
        issuer: TokenIssuer,
        http: httpx.AsyncClient,
        person_id: uuid.UUID | None,
        acting: Membership | None,
        now: datetime,
    ) -> None:
        super().__init__(TRAINING, settings, issuer, http, person_id, acting, now)
