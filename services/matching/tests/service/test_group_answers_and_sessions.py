"""Answers to a groupe d'entraide and its sessions, over an in-memory unit of work."""

from datetime import timedelta
from uuid import uuid4

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.sessions import SessionKind, SessionScheduled
from deformations_matching.domain.errors import (
    AlreadyAnswered,
    AlreadyScheduled,
    NotAllowed,
    NotConfirmed,
    PastSession,
    PlaceRequired,
    UnknownGroup,
)
from deformations_matching.service import peer_calls, peer_groups
from deformations_matching.service.peer_calls import PeerCallIn
from deformations_matching.service.peer_groups import AnswerIn, GroupOut, ScheduleIn

from .fakes import FakeUow, Store
from .people import elected
from .test_peer_calls import PROBLEM, diagnosed


async def a_group(uow: FakeUow) -> tuple[str, GroupOut]:
    caller, *_ = await diagnosed(uow, 5)
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    return caller, await peer_calls.form_group(uow, elected(caller), call.call_id)


def invited(store: Store, group: GroupOut, caller: str) -> list[str]:
    return sorted(p for p in store.groups[group.group_id].answers if p != caller)


async def test_names_are_revealed_once_everyone_accepted(uow: FakeUow, store: Store) -> None:
    caller, group = await a_group(uow)
    others = invited(store, group, caller)
    for person in others[:-1]:
        seen = await peer_groups.answer(uow, elected(person), group.group_id, AnswerIn(accept=True))
        assert seen.status == "pending" and seen.members == [person]
    last = await peer_groups.answer(uow, elected(others[-1]), group.group_id, AnswerIn(accept=True))
    assert last.status == "confirmed" and sorted(last.members) == sorted([caller, *others])
    with pytest.raises(AlreadyAnswered):
        await peer_groups.answer(uow, elected(others[0]), group.group_id, AnswerIn(accept=False))
    with pytest.raises(NotAllowed):
        await peer_groups.answer(uow, elected("stranger"), group.group_id, AnswerIn(accept=True))


async def test_too_many_declines_close_the_group_and_reopen_the_calls(
    uow: FakeUow, store: Store
) -> None:
    caller, group = await a_group(uow)
    others = invited(store, group, caller)
    for person in others:
        shown = await peer_groups.answer(
            uow, elected(person), group.group_id, AnswerIn(accept=False)
        )
    assert shown.status == "too_few"
    assert group.group_id in store.closed_groups
    assert store.calls[group.call_id].status == "open"


async def test_sessions_follow_the_rhythm_from_a_future_first_one(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    caller, group = await a_group(uow)
    first = clock.now + timedelta(days=14)
    plan = ScheduleIn(first_session_at=first, every_weeks=4, follow_ups=4, remote=True)
    with pytest.raises(NotConfirmed):
        await peer_groups.schedule(uow, elected(caller), group.group_id, plan)
    for person in invited(store, group, caller):
        await peer_groups.answer(uow, elected(person), group.group_id, AnswerIn(accept=True))
    emitted_before = len(store.emitted)

    clock.set(first)  # the clock, not the machine's time, says what is past
    with pytest.raises(PastSession):
        await peer_groups.schedule(uow, elected(caller), group.group_id, plan)
    on_site = ScheduleIn(first_session_at=first + timedelta(days=1))
    with pytest.raises(PlaceRequired):
        await peer_groups.schedule(uow, elected(caller), group.group_id, on_site)
    # Rights before the body: a stranger learns nothing from a bad one.
    with pytest.raises(NotAllowed):
        await peer_groups.schedule(uow, elected("stranger"), group.group_id, on_site)
    with pytest.raises(UnknownGroup):
        await peer_groups.schedule(uow, elected(caller), uuid4(), on_site)
    assert len(store.emitted) == emitted_before and not store.sessions

    clock.set(first - timedelta(days=1))
    shown = await peer_groups.schedule(uow, elected(caller), group.group_id, plan)
    sessions = store.emitted_of(SessionScheduled)
    assert [s.starts_at for s in sessions] == shown.sessions
    assert shown.sessions == [first + timedelta(weeks=4 * n) for n in range(5)]
    assert {s.kind for s in sessions} == {SessionKind.PEER_GROUP}
    assert {s.scheduled_at for s in sessions} == {clock.now}
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in sessions)
    with pytest.raises(AlreadyScheduled):
        await peer_groups.schedule(uow, elected(caller), group.group_id, plan)
