"""Which events put people in a shared context (who may write to whom through the relay)."""

from __future__ import annotations

from typing import Any

import pytest

from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanCancelled
from deformations_contracts.events.matching import (
    MatchProposed,
    ProposalKind,
    SpeedDatingMutualMark,
)
from deformations_contracts.events.programmes import ProgrammeInvited
from deformations_contracts.events.sessions import SessionKind, SessionScheduled
from deformations_contracts.events.training import EnrolmentWaitlisted, RebondProposed
from deformations_contracts.registry import examples
from deformations_notifications.domain.contexts import SharedContext, shared_context_of, without


def example(model: type[EventData], kind: object = None) -> Any:
    found = [
        model.model_validate(p)
        for p in examples(model.routing_key)
        if kind is None or p.get("kind") == kind
    ]
    if not found:
        pytest.skip(f"no example of {model.routing_key} {kind or ''}")
    return found[0]


def test_a_peer_group_or_a_pair_puts_its_members_together() -> None:
    for kind in (ProposalKind.PEER_GROUP, ProposalKind.ELU_TECHNICIEN_PAIR):
        proposal = example(MatchProposed, kind)
        context = shared_context_of(proposal)
        assert context is not None
        assert context.key == f"match:{proposal.proposal_id}"
        assert context.people == frozenset(proposal.members)


def test_a_need_offer_match_puts_the_collectivites_together() -> None:
    proposal = example(MatchProposed, ProposalKind.NEED_OFFER)
    context = shared_context_of(proposal)
    assert context is not None
    assert proposal.offer.collectivite_siren in context.sirens
    assert {r.collectivite_siren for r in proposal.requests} <= context.sirens


def test_a_speed_dating_evening_alone_opens_nothing() -> None:
    rotation = example(MatchProposed, ProposalKind.SPEED_DATING_ROTATION)
    assert shared_context_of(rotation) is None
    session = example(SessionScheduled).model_copy(update={"kind": SessionKind.SPEED_DATING_ROUND})
    assert shared_context_of(session) is None


def test_a_mutual_mark_puts_its_two_people_together_and_no_one_else() -> None:
    mark = example(SpeedDatingMutualMark)
    context = shared_context_of(mark)
    assert context is not None
    assert context.people == frozenset(mark.people) and len(context.people) == 2
    assert context.sirens == frozenset()
    # One context per pair: another mutual mark of the evening does not join it.
    other = mark.model_copy(update={"people": [mark.people[0], "quelqu-un-d-autre"]})
    other_context = shared_context_of(other)
    assert other_context is not None and other_context.key != context.key


def test_sessions_loans_programmes_training_and_teams() -> None:
    session = example(SessionScheduled)
    assert shared_context_of(session) == SharedContext(
        f"session:{session.related_id}",
        frozenset(session.participants),
        frozenset(session.collectivite_sirens),
    )
    cancelled = example(LoanCancelled)
    loan = shared_context_of(cancelled)
    assert loan is not None and loan.key == f"loan:{cancelled.loan_id}"
    assert loan.sirens == {cancelled.lender_siren, cancelled.borrower_siren}
    invited = example(ProgrammeInvited)
    assert shared_context_of(invited) == SharedContext(
        f"programme:{invited.programme_id}",
        frozenset({invited.person_id, invited.facilitator_id}),
    )
    rebond = example(RebondProposed)
    context = shared_context_of(rebond)
    assert context is not None and rebond.person_id in context.people
    assert shared_context_of(example(EnrolmentWaitlisted)) is None  # not in the offer yet
    completed = example(DiagnosisCompleted)
    team = shared_context_of(completed)
    if completed.campaign_id and completed.person_id:
        assert team == SharedContext(
            f"campaign:{completed.campaign_id}", frozenset({completed.person_id})
        )
    assert shared_context_of(example(DiagnosisTeamUpdated)) is None


def test_erased_people_are_left_out() -> None:
    context = SharedContext("match:1", frozenset({"a", "b"}), frozenset({"212601082"}))
    assert without(context, {"b"}) == SharedContext(
        "match:1", frozenset({"a"}), frozenset({"212601082"})
    )
