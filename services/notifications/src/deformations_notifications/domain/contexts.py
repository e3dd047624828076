"""Who may write to whom through the contact relay: people who share a context.

The relay hides addresses, but without a rule anyone signed in could write to anyone whose
person id they learnt. A first message is accepted only between people the platform put
together, as the events notifications reads tell it: a peer group or a pair, a café or
another session (a loan's half-days included), the two collectivités of a loan or of a
need↔offer match, a programme (with its facilitator), a training offer they are enrolled
in, a rebond with its trainer, a diagnosis campaign's team.

A speed-dating evening is not enough: its participants meet everyone, and only a mutual
mark (« atomes crochus », ``speed_dating.mutual_mark.v1``) puts its two people together.

A context is never withdrawn (a cancelled loan still lets its parties settle it); erasure
removes the person from every context.
"""

from __future__ import annotations

from dataclasses import dataclass

from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_contracts.events.lending import LoanAgreed, LoanCancelled, LoanCompleted
from deformations_contracts.events.matching import (
    MatchProposed,
    ProposalKind,
    SpeedDatingMutualMark,
)
from deformations_contracts.events.programmes import ProgrammeInvited
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionKind,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.events.training import (
    EnrolmentConfirmed,
    EnrolmentPromoted,
    RebondProposed,
)


@dataclass(frozen=True, slots=True)
class SharedContext:
    """People (by id) and collectivités (every person registered for them) put together.

    ``key`` names the context (``loan:<id>``…): later events add members to the same one."""

    key: str
    people: frozenset[str] = frozenset()
    sirens: frozenset[str] = frozenset()


def _match(event: MatchProposed) -> SharedContext | None:
    if event.kind is ProposalKind.SPEED_DATING_ROTATION:
        return None
    sirens = {r.collectivite_siren for r in event.requests}
    if event.offer is not None:
        sirens.add(event.offer.collectivite_siren)
    return SharedContext(f"match:{event.proposal_id}", frozenset(event.members), frozenset(sirens))


def shared_context_of(event: EventData) -> SharedContext | None:
    """The context an event puts its people in, or None."""
    match event:
        case MatchProposed():
            return _match(event)
        case SpeedDatingMutualMark():
            first, second = event.people
            return SharedContext(
                f"speed-dating:{event.gathering_id}:{first}:{second}", frozenset(event.people)
            )
        case SessionScheduled() | SessionRescheduled() | SessionCancelled():
            if event.kind is SessionKind.SPEED_DATING_ROUND:
                return None
            return SharedContext(
                f"session:{event.related_id}",
                frozenset(event.participants),
                frozenset(event.collectivite_sirens),
            )
        case LoanAgreed() | LoanCompleted() | LoanCancelled():
            agent = {event.agent_person_id} if event.agent_person_id else set()
            return SharedContext(
                f"loan:{event.loan_id}",
                frozenset(agent),
                frozenset({event.lender_siren, event.borrower_siren}),
            )
        case ProgrammeInvited():
            return SharedContext(
                f"programme:{event.programme_id}",
                frozenset({event.person_id, event.facilitator_id}),
            )
        case EnrolmentConfirmed() | EnrolmentPromoted():
            return SharedContext(f"offer:{event.offer_id}", frozenset({event.person_id}))
        case RebondProposed(trainer_id=str() as trainer):
            return SharedContext(f"rebond:{event.rebond_id}", frozenset({event.person_id, trainer}))
        case DiagnosisCompleted(person_id=str() as person, campaign_id=campaign) if campaign:
            return SharedContext(f"campaign:{campaign}", frozenset({person}))
    return None


def without(context: SharedContext, erased: set[str]) -> SharedContext:
    """The context less the erased people (a late event must not bring them back)."""
    return SharedContext(context.key, context.people - erased, context.sirens)
