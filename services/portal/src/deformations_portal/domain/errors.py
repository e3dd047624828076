"""Errors of the portal's rules; messages are shown to people as they are (French)."""

from deformations_common.vocabulary.errors import (
    ConflictError,
    ForbiddenAction,
    GoneError,
    InvalidInput,
    NotFoundError,
)


class UnknownCollectivite(NotFoundError):
    code = "unknown_collectivite"


class InvalidRole(InvalidInput):
    code = "invalid_role"


class InvalidEmail(InvalidInput):
    code = "invalid_email"


class InvalidName(InvalidInput):
    code = "invalid_name"


class NotAllowedToDecide(ForbiddenAction):
    code = "not_allowed_to_decide"


class NoValidatedMembership(ForbiddenAction):
    code = "no_validated_membership"


class MembershipNotFound(NotFoundError):
    code = "membership_not_found"


class MembershipAlreadyExists(ConflictError):
    code = "membership_exists"


class MembershipNotPending(ConflictError):
    code = "membership_not_pending"


class LinkInvalid(NotFoundError):
    code = "link_invalid"


class LinkExpired(GoneError):
    code = "link_expired"


class LinkUsed(GoneError):
    code = "link_used"


class AddressCheckInvalid(NotFoundError):
    code = "address_check_invalid"


class AddressCheckExpired(GoneError):
    code = "address_check_expired"


class AddressCheckUsed(GoneError):
    code = "address_check_used"


class SignInFailed(ForbiddenAction):
    code = "sign_in_failed"


class TooManyRequests(ConflictError):
    code = "too_many_requests"
    status = 429


class CsrfRejected(ForbiddenAction):
    code = "csrf_rejected"


class NotAnOperator(ForbiddenAction):
    code = "not_an_operator"


class MembershipEnded(ConflictError):
    code = "membership_ended"


class ReasonRequired(InvalidInput):
    code = "reason_required"


class InvalidJournalFilter(InvalidInput):
    code = "invalid_journal_filter"
