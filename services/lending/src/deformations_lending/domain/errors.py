"""Errors of lending's rules, each with its stable ``code`` and HTTP status.

Messages are French: the API shows them to people as they are. The runtime renders any
of them as problem details (see ``deformations_common.errors``); nothing here maps them.
"""

from deformations_common.vocabulary.errors import (
    ConflictError,
    DomainError,
    ForbiddenAction,
    InvalidInput,
    NotFoundError,
)

__all__ = [
    "AgentAlreadyBookedError",
    "CapacityExceededError",
    "ConcurrentChangeError",
    "DomainError",
    "ForbiddenError",
    "InvalidInputError",
    "InvalidTransitionError",
    "LoanAlreadyExistsError",
    "LoanNotFoundError",
    "OfferNotFoundError",
    "OfferWithdrawnError",
    "ProposalExpiredError",
    "ProposalIncompleteError",
    "ProposalNotFoundError",
    "RequestNotFoundError",
]


class InvalidTransitionError(ConflictError):
    """The command does not apply to the current state of the loan, offer or session."""

    code = "invalid_transition"


class CapacityExceededError(ConflictError):
    """Committing these half-days would over-commit the offer or the loan."""

    code = "capacity_exceeded"


class AgentAlreadyBookedError(ConflictError):
    """The agent already has a session on this half-day."""

    code = "agent_already_booked"


class OfferWithdrawnError(ConflictError):
    """The offer was withdrawn while the command ran (seen by the schema's triggers)."""

    code = "offer_withdrawn"


class LoanAlreadyExistsError(ConflictError):
    """The proposal already led to a loan for this request."""

    code = "already_exists"


class ProposalExpiredError(ConflictError):
    code = "proposal_expired"


class ProposalIncompleteError(ConflictError):
    """The proposal's offer or request has not reached lending yet (events out of order)."""

    code = "proposal_incomplete"


class ConcurrentChangeError(ConflictError):
    """Another transaction changed the same rows first (a deadlock, a race): retry."""

    code = "conflict"


class InvalidInputError(InvalidInput):
    """A value breaks a rule of the domain (dates, half-days, answers)."""


class ForbiddenError(ForbiddenAction):
    """The actor may not run this command for this collectivité."""


class LoanNotFoundError(NotFoundError):
    code = "loan_not_found"


class OfferNotFoundError(NotFoundError):
    code = "offer_not_found"


class RequestNotFoundError(NotFoundError):
    code = "request_not_found"


class ProposalNotFoundError(NotFoundError):
    code = "proposal_not_found"
