"""Joining someone's appel à pairs: recruited first, once, and clear refusals that change
nothing — over an in-memory unit of work."""

from uuid import uuid4

import pytest

from deformations_common.errors import Forbidden
from deformations_matching.domain.errors import (
    AlreadyGrouped,
    CallWithdrawn,
    OwnCall,
    UnknownCall,
)
from deformations_matching.service import peer_calls
from deformations_matching.service.peer_calls import PeerCallIn

from .fakes import FakeUow, Store
from .people import elected, with_roles
from .test_peer_calls import PROBLEM, diagnosed

JOINER = "elu-qui-rejoint"  # no diagnosis: the farthest candidate from the caller


async def open_call(uow: FakeUow) -> tuple[str, peer_calls.PeerCallOut]:
    caller, *_ = await diagnosed(uow, 6)  # the caller and five close candidates
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    return caller, call


async def test_a_joiner_is_recruited_first_into_the_calls_group(uow: FakeUow, store: Store) -> None:
    caller, call = await open_call(uow)
    mine, opened = await peer_calls.join_call(uow, elected(JOINER), call.call_id)
    assert opened and mine.joins == call.call_id and mine.theme == "alimentation"
    assert mine.caller == JOINER and store.calls[mine.call_id].anonymous
    group = await peer_calls.form_group(uow, elected(caller), call.call_id)
    # Five close candidates would fill the group of five; the joiner takes a place first.
    assert JOINER in store.groups[group.group_id].answers and group.size == 5
    assert store.calls[mine.call_id].status == "grouped"


async def test_joining_twice_is_one_join_shown_to_the_joiner_only(
    uow: FakeUow, store: Store
) -> None:
    caller, call = await open_call(uow)
    first, opened = await peer_calls.join_call(uow, elected(JOINER), call.call_id)
    again, opened_again = await peer_calls.join_call(uow, elected(JOINER), call.call_id)
    assert opened and not opened_again and again.call_id == first.call_id
    assert len(store.calls) == 2
    # Others see the call, not the join that repeats its words.
    assert [c.call_id for c in await peer_calls.list_calls(uow, elected(caller), None, 10)] == [
        call.call_id
    ]
    listed = await peer_calls.list_calls(uow, elected(JOINER), None, 10)
    assert {(c.call_id, c.joins) for c in listed} == {
        (call.call_id, None),
        (first.call_id, call.call_id),
    }


async def test_a_withdrawn_join_opens_again_and_a_withdrawn_call_takes_its_joins(
    uow: FakeUow, store: Store
) -> None:
    caller, call = await open_call(uow)
    mine, _ = await peer_calls.join_call(uow, elected(JOINER), call.call_id)
    await peer_calls.withdraw_call(uow, elected(JOINER), mine.call_id)
    again, opened = await peer_calls.join_call(uow, elected(JOINER), call.call_id)
    assert opened and again.call_id == mine.call_id and again.status == "open"
    await peer_calls.withdraw_call(uow, elected(caller), call.call_id)
    assert store.calls[mine.call_id].status == "withdrawn"
    with pytest.raises(CallWithdrawn):
        await peer_calls.join_call(uow, elected("elu-en-retard"), call.call_id)


async def test_joins_that_cannot_be_are_refused_and_change_nothing(
    uow: FakeUow, store: Store
) -> None:
    caller, call = await open_call(uow)
    before = dict(store.calls)
    with pytest.raises(OwnCall):
        await peer_calls.join_call(uow, elected(caller), call.call_id)
    with pytest.raises(Forbidden):
        await peer_calls.join_call(uow, with_roles("agent-1", "agent"), call.call_id)
    with pytest.raises(UnknownCall):
        await peer_calls.join_call(uow, elected(JOINER), uuid4())
    assert store.calls == before
    await peer_calls.form_group(uow, elected(caller), call.call_id)
    grouped = dict(store.calls)
    with pytest.raises(AlreadyGrouped):
        await peer_calls.join_call(uow, elected(JOINER), call.call_id)
    assert store.calls == grouped
