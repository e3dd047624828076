"""Appels à pairs and the recruitment of a groupe d'entraide, over an in-memory unit of work."""

from datetime import timedelta
from uuid import uuid4

import pytest

from deformations_common.errors import Forbidden
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.types import TimeSlot
from deformations_matching.domain.errors import AlreadyGrouped, NotAllowed, TooFewPeers, UnknownCall
from deformations_matching.service import peer_calls, read_models
from deformations_matching.service.peer_calls import PeerCallIn

from .fakes import FakeUow, Store
from .people import COMMUNES, diagnosis, elected, with_roles

PROBLEM = "Comment passer la cantine en bio local sans exploser le budget ?"


async def diagnosed(uow: FakeUow, count: int, **options: object) -> list[str]:
    people = [f"elu-{i}" for i in range(count)]
    for person, commune in zip(people, COMMUNES, strict=False):
        await read_models.record_diagnosis(uow, diagnosis(person, commune, uow.now(), **options))
    return people


async def test_a_call_takes_what_is_omitted_from_the_diagnosis_and_its_time_from_the_clock(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    [caller] = await diagnosed(uow, 1)
    clock.advance(timedelta(hours=2))
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    stored = store.calls[call.call_id]
    assert stored.time_slots == [TimeSlot.EVENING.value] and stored.commune_insee == "26108"
    assert call.created_at == clock.now and call.caller == caller
    # Anonymous by default: others do not see who called.
    [shown] = await peer_calls.list_calls(uow, elected("someone-else"), None, 10)
    assert shown.call_id == call.call_id and shown.caller is None


async def test_only_an_elected_member_posts_a_call(uow: FakeUow, store: Store) -> None:
    with pytest.raises(Forbidden):
        await peer_calls.post_call(
            uow, with_roles("agent-1", "agent"), PeerCallIn(theme="alimentation", problem=PROBLEM)
        )
    assert not store.calls


async def test_a_group_is_recruited_around_the_call_and_proposed(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    caller, *others = await diagnosed(uow, 5)
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    clock.advance(timedelta(minutes=5))
    group = await peer_calls.form_group(uow, elected(caller), call.call_id)
    assert group.size >= 4 and group.status == "pending" and group.your_answer == "accepted"
    assert store.calls[call.call_id].status == "grouped"
    [event] = store.emitted_of(MatchProposed)
    assert event.kind is ProposalKind.PEER_GROUP and event.proposal_id == group.group_id
    assert event.proposed_at == clock.now
    assert caller in event.members and set(event.members) <= {caller, *others}
    # The author formed it: accepted already, not to be asked to answer.
    assert event.accepted == [caller]
    assert event.proposal_id in store.proposals
    with pytest.raises(AlreadyGrouped):
        await peer_calls.form_group(uow, elected(caller), call.call_id)


async def test_too_few_peers_leave_the_call_open_and_change_nothing(
    uow: FakeUow, store: Store
) -> None:
    caller, *_ = await diagnosed(uow, 3)
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    with pytest.raises(TooFewPeers) as refused:
        await peer_calls.form_group(uow, elected(caller), call.call_id)
    assert refused.value.code == "too_few_peers" and refused.value.status == 409
    assert store.calls[call.call_id].status == "open"
    assert not store.groups and not store.emitted and not store.proposals


async def test_only_the_caller_or_an_operator_forms_the_group(uow: FakeUow, store: Store) -> None:
    caller, *_ = await diagnosed(uow, 5)
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    with pytest.raises(NotAllowed):
        await peer_calls.form_group(uow, elected("elu-1"), call.call_id)
    with pytest.raises(UnknownCall):
        await peer_calls.form_group(uow, elected(caller), uuid4())
    assert not store.groups
    group = await peer_calls.form_group(uow, with_roles("ops", "operator"), call.call_id)
    assert group.group_id in store.groups
