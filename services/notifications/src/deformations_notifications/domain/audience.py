"""Who is concerned by an event of the catalogue, read from its typed contract.

Events carry identifiers only, never contact details. An ``Audience`` names the people an
event designates directly (the élu of a diagnosis, the agent of a loan, the participants
of a session, the élu of an enrolment, a rebond, a questionnaire or a programme's
invitation and review), the collectivités whose registered people are concerned (both
sides of a loan), the campaigns whose team is concerned, and the roles awaited in a
collectivité (a loan's action request; the agent in person for their consent). The
service layer resolves SIRENs, campaigns and roles to people with its read models.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import (
    LoanActionRequested,
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
)
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.events.moderation import ContentHidden
from deformations_contracts.events.programmes import ProgrammeInvited, ProgrammeReviewDue
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
    EvaluationDue,
    RebondProposed,
)

# Who validates a collectivité's memberships (the portal's REFERENT_ROLES): they answer
# for it when nobody holds the role an action awaits.
REFERENT_ROLES = frozenset({"hr", "secretary"})


@dataclass(frozen=True, slots=True)
class RoleHolders:
    """The validated members of a collectivité who hold one of ``roles``."""

    siren: str
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class Audience:
    people: frozenset[str] = frozenset()
    sirens: frozenset[str] = frozenset()
    campaigns: frozenset[str] = frozenset()
    holders: RoleHolders | None = None

    @property
    def empty(self) -> bool:
        return not (self.people or self.sirens or self.campaigns or self.holders)


def holders_among(wanted: RoleHolders, members: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Of the collectivité's validated ``(person, role)`` members: those holding an awaited
    role; failing them, its référents, who can pass the word on. Empty when neither is
    known: the caller then falls back to everyone registered for it."""
    held = list(members)
    for roles in (wanted.roles, REFERENT_ROLES):
        found = frozenset(person for person, role in held if role in roles)
        if found:
            return found
    return frozenset()


_COLLECTIVE_PROPOSALS = (ProposalKind.NEED_OFFER, ProposalKind.GROUPED_OFFER)


def _match(event: MatchProposed) -> Audience:
    if event.kind is ProposalKind.SPEED_DATING_ROTATION:
        # Nothing to answer: the evening's one invitation (its session) tells each
        # participant, and the rotation is on the evening's page.
        return Audience()
    if event.kind in _COLLECTIVE_PROPOSALS:
        # A need↔offer match concerns the collectivités: the people registered for them.
        sirens = {r.collectivite_siren for r in event.requests}
        if event.offer is not None:
            sirens.add(event.offer.collectivite_siren)
        return Audience(people=frozenset(event.members), sirens=frozenset(sirens))
    return Audience(people=frozenset(event.members))


def audience_of(event: EventData) -> Audience:
    """The people, collectivités and teams concerned; empty for events nobody is told of."""
    match event:
        case DiagnosisCompleted(person_id=str() as person):
            return Audience(people=frozenset({person}))
        case DiagnosisTeamUpdated():
            return Audience(campaigns=frozenset({str(event.campaign_id)}))
        case MatchProposed():
            return _match(event)
        case LoanAgreed() | LoanCompleted() | LoanCancelled():
            agent = {event.agent_person_id} if event.agent_person_id else set()
            return Audience(
                people=frozenset(agent),
                sirens=frozenset({event.lender_siren, event.borrower_siren}),
            )
        case LoanActionRequested(agent_person_id=str() as agent):
            # The agent's consent is personal: the agent the RH named, never their colleagues.
            return Audience(people=frozenset({agent}))
        case LoanActionRequested():
            # Lending names the collectivité and the roles, not people: the memberships the
            # portal publishes say who holds them. Each gets a link bound to them.
            roles = frozenset(role.value for role in event.roles)
            return Audience(holders=RoleHolders(event.collectivite_siren, roles))
        case SessionScheduled() | SessionRescheduled() | SessionCancelled():
            return Audience(people=frozenset(event.participants))
        case (
            EnrolmentConfirmed()
            | EnrolmentWaitlisted()
            | EnrolmentPromoted()
            | EnrolmentCancelled()
            | RebondProposed()
            | EvaluationDue()
            | ProgrammeInvited()
            | ProgrammeReviewDue()
        ):
            # The élu enrolled, the one the trainer wrote the rebond for, the one asked to
            # answer, the one invited: never the trainer nor the collectivité (the RH who
            # enrolled a group sees it in the portal, not in every member's mail).
            return Audience(people=frozenset({event.person_id}))
        case ContentHidden():
            # Only its author (a person, or those registered for the collectivité that
            # published it): what was hidden, and why, is nobody else's business.
            return Audience(
                people=frozenset({event.person_id} if event.person_id else set()),
                sirens=frozenset({event.collectivite_siren} if event.collectivite_siren else set()),
            )
    return Audience()


def team_membership(event: DiagnosisCompleted) -> tuple[str, str] | None:
    """(campaign, person) when a named élu answered within a campaign: a member of its team."""
    if event.person_id is None or event.campaign_id is None:
        return None
    return str(event.campaign_id), event.person_id
