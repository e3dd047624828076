"""Who may do what: a pure function of the actor, the command and the parties.

Only a collectivité's ``elected`` or ``hr`` people act for it; which of the two depends on
the command (the lender's HR approval needs ``hr``, its political approval ``elected``).
Any signed-in person browses open offers and requests; the platform's operators moderate
them, whatever collectivité they act for. The agent's consent is personal: only the agent
the HR named, signed in as themself, gives or refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from deformations_common.vocabulary.roles import Role

from .errors import ForbiddenError


class Side(StrEnum):
    """Which party of the command the actor must belong to."""

    ANYONE = "anyone"  # any signed-in person
    OWNER = "owner"  # the collectivité publishing an offer or a request
    LENDER = "lender"
    BORROWER = "borrower"
    EITHER = "either"  # lender or borrower
    PLATFORM = "platform"  # the platform's own team, whatever collectivité it acts for


class Command(StrEnum):
    BROWSE = "browse"
    PUBLISH_OFFER = "publish_offer"
    WITHDRAW_OFFER = "withdraw_offer"
    PUBLISH_REQUEST = "publish_request"
    WITHDRAW_REQUEST = "withdraw_request"
    PROPOSE_LOAN = "propose_loan"
    ACCEPT_LOAN = "accept_loan"
    APPROVE_AS_ELECTED = "approve_as_elected"
    APPROVE_AS_HR = "approve_as_hr"
    GIVE_AGENT_CONSENT = "give_agent_consent"
    REFUSE_AGENT_CONSENT = "refuse_agent_consent"
    DECLINE_LOAN = "decline_loan"
    CANCEL_LOAN = "cancel_loan"
    VIEW_LOAN = "view_loan"
    SCHEDULE_SESSION = "schedule_session"
    RESCHEDULE_SESSION = "reschedule_session"
    CANCEL_SESSION = "cancel_session"
    CONFIRM_SESSION = "confirm_session"
    RECORD_SESSION_HELD = "record_session_held"
    COMPLETE_LOAN = "complete_loan"
    BORROWER_FEEDBACK = "borrower_feedback"
    LENDER_FEEDBACK = "lender_feedback"
    AGENT_FEEDBACK = "agent_feedback"
    DOWNLOAD_CONVENTION = "download_convention"
    DOWNLOAD_ATTESTATION = "download_attestation"
    VIEW_LEDGER = "view_ledger"
    MODERATE = "moderate"


@dataclass(frozen=True, slots=True)
class Rule:
    side: Side
    roles: frozenset[Role]  # empty with Side.ANYONE: any role
    personal: bool = False  # only the loan's named agent (``Parties.agent``) in person


_BOTH = frozenset({Role.ELECTED, Role.HR})
_ELECTED = frozenset({Role.ELECTED})
_HR = frozenset({Role.HR})
_AGENT = frozenset({Role.AGENT})

RULES: dict[Command, Rule] = {
    Command.BROWSE: Rule(Side.ANYONE, frozenset()),
    Command.VIEW_LEDGER: Rule(Side.ANYONE, frozenset()),
    Command.PUBLISH_OFFER: Rule(Side.OWNER, _BOTH),
    Command.WITHDRAW_OFFER: Rule(Side.OWNER, _BOTH),
    Command.PUBLISH_REQUEST: Rule(Side.OWNER, _BOTH),
    Command.WITHDRAW_REQUEST: Rule(Side.OWNER, _BOTH),
    Command.PROPOSE_LOAN: Rule(Side.BORROWER, _BOTH),
    Command.ACCEPT_LOAN: Rule(Side.BORROWER, _BOTH),
    Command.APPROVE_AS_ELECTED: Rule(Side.LENDER, _ELECTED),
    Command.APPROVE_AS_HR: Rule(Side.LENDER, _HR),
    # The agent consents (or refuses) in person: nobody answers for them, not even the HR.
    Command.GIVE_AGENT_CONSENT: Rule(Side.LENDER, _AGENT, personal=True),
    Command.REFUSE_AGENT_CONSENT: Rule(Side.LENDER, _AGENT, personal=True),
    Command.DECLINE_LOAN: Rule(Side.EITHER, _BOTH),
    Command.CANCEL_LOAN: Rule(Side.EITHER, _BOTH),
    Command.VIEW_LOAN: Rule(Side.EITHER, frozenset({Role.ELECTED, Role.HR, Role.AGENT})),
    Command.SCHEDULE_SESSION: Rule(Side.EITHER, _BOTH),
    Command.RESCHEDULE_SESSION: Rule(Side.EITHER, _BOTH),
    Command.CANCEL_SESSION: Rule(Side.EITHER, _BOTH),
    Command.CONFIRM_SESSION: Rule(Side.LENDER, _BOTH),
    Command.RECORD_SESSION_HELD: Rule(Side.BORROWER, _BOTH),
    Command.COMPLETE_LOAN: Rule(Side.BORROWER, _BOTH),
    Command.BORROWER_FEEDBACK: Rule(Side.BORROWER, _BOTH),
    Command.LENDER_FEEDBACK: Rule(Side.LENDER, _BOTH),
    # The agent answers for themself, not for the collectivité: an agent of the lender.
    Command.AGENT_FEEDBACK: Rule(Side.LENDER, _AGENT),
    Command.DOWNLOAD_CONVENTION: Rule(Side.EITHER, _BOTH),
    Command.DOWNLOAD_ATTESTATION: Rule(Side.LENDER, frozenset({Role.HR, Role.AGENT})),
    # Operators hide and show the texts of every collectivité (see ``moderation``).
    Command.MODERATE: Rule(Side.PLATFORM, frozenset({Role.OPERATOR})),
}


# Which command records which of the lender's approvals (see ``loans.approve``).
APPROVAL_COMMANDS: dict[str, Command] = {
    "elected": Command.APPROVE_AS_ELECTED,
    "hr": Command.APPROVE_AS_HR,
    "agent": Command.GIVE_AGENT_CONSENT,
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is signed in: the token's ``sub``, ``authority`` (SIREN) and ``roles``."""

    person_id: str
    authority: str | None
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class Parties:
    """The collectivités a command touches (SIRENs); unused ones stay ``None``."""

    owner: str | None = None
    lender: str | None = None
    borrower: str | None = None
    agent: str | None = None  # the person the lender's HR named as the loan's agent


_ROLE_NAMES = {
    Role.ELECTED: "élu ou élue",
    Role.HR: "ressources humaines",
    Role.AGENT: "agent",
    Role.OPERATOR: "opérateur de la plateforme",
}


def is_allowed(actor: Actor, command: Command, parties: Parties) -> bool:
    try:
        authorize(actor, command, parties)
    except ForbiddenError:
        return False
    return True


def authorize(actor: Actor, command: Command, parties: Parties) -> None:
    """Raises ``ForbiddenError`` with a French message if the actor may not do this."""
    rule = RULES[command]
    if rule.side is Side.ANYONE:
        return
    if rule.side is Side.PLATFORM:
        _require_role(actor, rule.roles)
        return
    sides = _sides(rule.side, parties)
    if not sides:
        raise ForbiddenError("La collectivité concernée par cette action est inconnue.")
    if actor.authority is None or actor.authority not in sides:
        raise ForbiddenError("Vous n'agissez pas pour une collectivité concernée par cette action.")
    _require_role(actor, rule.roles)
    if rule.personal and (parties.agent is None or actor.person_id != parties.agent):
        raise ForbiddenError(
            "Seul l'agent désigné par les ressources humaines donne ou refuse son accord, "
            "en personne."
        )


def _require_role(actor: Actor, roles: frozenset[Role]) -> None:
    if not roles & {Role(r) for r in actor.roles if r in Role.__members__.values()}:
        needed = " ou ".join(_ROLE_NAMES[r] for r in sorted(roles))
        raise ForbiddenError(f"Cette action est réservée au rôle : {needed}.")


def _sides(side: Side, parties: Parties) -> set[str]:
    if side is Side.OWNER:
        found = {parties.owner}
    elif side is Side.LENDER:
        found = {parties.lender}
    elif side is Side.BORROWER:
        found = {parties.borrower}
    else:
        found = {parties.lender, parties.borrower}
    return {s for s in found if s is not None}
