"""The errors of the training rules, each with its stable code and a French message."""

from deformations_common.vocabulary.errors import (
    ConflictError,
    ForbiddenAction,
    GoneError,
    InvalidInput,
    NotFoundError,
)


class InvalidTrainingInput(InvalidInput):
    code = "invalid_input"


class NotFound(NotFoundError):
    code = "not_found"


class Forbidden(ForbiddenAction):
    code = "forbidden"


class AlreadyEnrolled(ConflictError):
    code = "already_enrolled"


class InvalidTransition(ConflictError):
    code = "invalid_transition"


class RegistrationClosed(GoneError):
    code = "registration_closed"
