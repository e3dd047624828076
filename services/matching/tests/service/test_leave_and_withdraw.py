"""Leaving a groupe d'entraide (a replacement below four), withdrawing an appel à pairs,
and names hidden until everyone accepted — over an in-memory unit of work."""

import pytest

from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.types import TimeSlot
from deformations_matching.domain.errors import (
    AlreadyGrouped,
    CallWithdrawn,
    NotAllowed,
    NotAMember,
)
from deformations_matching.service import peer_calls, peer_groups, peer_membership, proposals
from deformations_matching.service.peer_calls import PeerCallIn
from deformations_matching.service.peer_groups import AnswerIn, GroupOut

from .fakes import FakeUow, Store
from .people import elected
from .test_peer_calls import PROBLEM, diagnosed


async def confirmed_group_of_four(
    uow: FakeUow, store: Store, *, anonymous: bool = True
) -> tuple[str, list[str], GroupOut]:
    caller, *_ = await diagnosed(uow, 4)
    call = await peer_calls.post_call(
        uow,
        elected(caller),
        PeerCallIn(theme="alimentation", problem=PROBLEM, anonymous=anonymous),
    )
    group = await peer_calls.form_group(uow, elected(caller), call.call_id)
    others = sorted(p for p in store.groups[group.group_id].answers if p != caller)
    assert group.size == 4
    for person in others:
        group = await peer_groups.answer(
            uow, elected(person), group.group_id, AnswerIn(accept=True)
        )
    assert group.status == "confirmed"
    return caller, others, group


async def test_a_member_leaves_and_a_replacement_is_proposed_from_open_calls(
    uow: FakeUow, store: Store
) -> None:
    caller, others, group = await confirmed_group_of_four(uow, store)
    newcomer = "elu-nouveau"
    far_off = "elu-matin"
    await peer_calls.post_call(
        uow,
        elected(far_off),
        PeerCallIn(theme="alimentation", problem=PROBLEM, time_slots=[TimeSlot.MORNING]),
    )
    call = await peer_calls.post_call(
        uow,
        elected(newcomer),
        PeerCallIn(theme="alimentation", problem=PROBLEM, time_slots=[TimeSlot.EVENING]),
    )
    proposals_before = len(store.emitted_of(MatchProposed))
    leaver = others[0]
    seen = await peer_membership.leave(uow, elected(leaver), group.group_id)
    assert seen.members == [] and seen.your_answer == "left"
    answers = store.groups[group.group_id].answers
    assert answers[leaver] == "left" and answers[newcomer] == "pending"
    assert far_off not in answers  # no common slot with the group
    assert store.calls[call.call_id].status == "grouped"
    [proposal] = store.emitted_of(MatchProposed)[proposals_before:]
    assert proposal.kind is ProposalKind.PEER_GROUP and proposal.peer_call_id == group.call_id
    assert sorted(proposal.members) == sorted([caller, *others[1:], newcomer])
    # Those still in accepted their place before: only the newcomer has to answer.
    assert sorted(proposal.accepted) == sorted([caller, *others[1:]])
    # The replacement's proposal bears its own id; its listing leads to the group.
    assert proposal.proposal_id != group.group_id
    listed = await proposals.list_proposals(
        uow, elected(newcomer), kind=None, request_id=None, offer_id=None, limit=10
    )
    by_id = {p["proposal_id"]: p for p in listed}
    assert by_id[str(proposal.proposal_id)]["group_id"] == str(group.group_id)
    assert by_id[str(group.group_id)]["group_id"] == str(group.group_id)

    # Names are hidden again until the newcomer accepted, from the newcomer first of all.
    pending = await peer_groups.get_group(uow, elected(newcomer), group.group_id)
    assert pending.status == "pending" and pending.members == [newcomer] and pending.size == 4
    assert (await peer_groups.get_group(uow, elected(caller), group.group_id)).members == [caller]
    done = await peer_groups.answer(uow, elected(newcomer), group.group_id, AnswerIn(accept=True))
    assert done.status == "confirmed"
    assert sorted(done.members) == sorted([caller, *others[1:], newcomer])
    assert leaver not in done.members
    with pytest.raises(NotAMember):
        await peer_membership.leave(uow, elected(leaver), group.group_id)
    with pytest.raises(NotAllowed):
        await peer_membership.leave(uow, elected("stranger"), group.group_id)


async def test_an_open_call_names_its_author_only_until_everyone_accepted(
    uow: FakeUow, store: Store
) -> None:
    caller, *_ = await diagnosed(uow, 4)
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM, anonymous=False)
    )
    group = await peer_calls.form_group(uow, elected(caller), call.call_id)
    others = sorted(p for p in store.groups[group.group_id].answers if p != caller)
    assert group.members == [caller]
    invited = await peer_groups.get_group(uow, elected(others[0]), group.group_id)
    assert sorted(invited.members) == sorted([caller, others[0]])


async def test_the_author_withdraws_an_open_call_only(uow: FakeUow, store: Store) -> None:
    [caller] = await diagnosed(uow, 1)
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    with pytest.raises(NotAllowed):
        await peer_calls.withdraw_call(uow, elected("someone-else"), call.call_id)
    assert store.calls[call.call_id].status == "open"
    gone = await peer_calls.withdraw_call(uow, elected(caller), call.call_id)
    assert gone.status == "withdrawn"
    assert await peer_calls.list_calls(uow, elected(caller), None, 10) == []
    with pytest.raises(CallWithdrawn):
        await peer_calls.withdraw_call(uow, elected(caller), call.call_id)


async def test_a_grouped_call_is_left_through_its_group(uow: FakeUow, store: Store) -> None:
    caller, _, group = await confirmed_group_of_four(uow, store)
    with pytest.raises(AlreadyGrouped):
        await peer_calls.withdraw_call(uow, elected(caller), group.call_id)
