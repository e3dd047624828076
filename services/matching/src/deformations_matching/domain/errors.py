"""What the rules of matching refuse, each with a stable code, an HTTP status and French words.

The runtime renders any of them as RFC 9457 problem details; the codes are those the API
has always returned.
"""

from deformations_common.vocabulary.errors import (
    ConflictError,
    ForbiddenAction,
    GoneError,
    InvalidInput,
    NotFoundError,
)


class UnknownCall(NotFoundError):
    code = "unknown_call"


class UnknownGroup(NotFoundError):
    code = "unknown_group"


class UnknownCycle(NotFoundError):
    code = "unknown_cycle"


class UnknownGathering(NotFoundError):
    code = "unknown_gathering"


class NoDiagnosis(NotFoundError):
    code = "no_diagnosis"


class NotAllowed(ForbiddenAction):
    """The actor may not act on this call, group, cycle or gathering."""


class AlreadyGrouped(ConflictError):
    code = "already_grouped"


class CallHidden(ConflictError):
    """An operator hid the call: it recruits nobody until shown again."""

    code = "call_hidden"


class AlreadyHidden(ConflictError):
    code = "already_hidden"


class NotHidden(ConflictError):
    code = "not_hidden"


class OwnCall(ConflictError):
    code = "own_call"


class TooFewPeers(ConflictError):
    code = "too_few_peers"


class AlreadyAnswered(ConflictError):
    code = "already_answered"


class NotConfirmed(ConflictError):
    code = "not_confirmed"


class AlreadyScheduled(ConflictError):
    code = "already_scheduled"


class PlaceRequired(InvalidInput):
    code = "place_required"


class PastSession(InvalidInput):
    code = "past_session"


class NoPair(InvalidInput):
    code = "no_pair"


class NoRound(InvalidInput):
    code = "no_round"


class UnknownEpci(InvalidInput):
    code = "unknown_epci"


class OutsideEpci(InvalidInput):
    code = "outside_epci"


class Duplicate(InvalidInput):
    code = "duplicate"


class UnknownRecipe(InvalidInput):
    code = "unknown_recipe"


class UnknownSession(NotFoundError):
    code = "unknown_session"


class SessionCancelledAlready(GoneError):
    code = "session_cancelled"


class SessionPast(ConflictError):
    code = "session_past"


class Unchanged(InvalidInput):
    code = "unchanged"


class NotMet(InvalidInput):
    code = "not_met"


class EveningNotOver(ConflictError):
    code = "evening_not_over"


class CallWithdrawn(GoneError):
    code = "call_withdrawn"


class NotAMember(ConflictError):
    code = "not_a_member"


class NotInvitable(ForbiddenAction):
    code = "not_invitable"


class ReviewNotOpen(ConflictError):
    """The three-month review of a café cycle opens only once the cycle is three months old."""

    code = "review_not_open"


class ParticipantsOutsideScope(InvalidInput):
    """People from a commune the platform does not cover (its Région)."""

    code = "participants_outside_scope"


class CommuneOutsideScope(InvalidInput):
    code = "commune_outside_scope"


class CallOutsideScope(ConflictError):
    """A call stored before the platform's territory was set, from elsewhere."""

    code = "call_outside_scope"
