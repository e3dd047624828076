"""Moving and cancelling a session matching planned: the organiser (or an operator) only,
each change republished in full with the next sequence."""

from datetime import timedelta

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_matching.domain.errors import (
    NotAllowed,
    PastSession,
    SessionCancelledAlready,
    Unchanged,
)
from deformations_matching.service import peer_groups, sessions
from deformations_matching.service.peer_groups import AnswerIn, ScheduleIn
from deformations_matching.service.sessions import CancelIn, RescheduleIn

from .fakes import FakeUow, Store
from .people import elected, with_roles
from .test_group_answers_and_sessions import a_group, invited


async def scheduled(uow: FakeUow, store: Store, clock: ManualClock) -> tuple[str, list[str]]:
    caller, group = await a_group(uow)
    others = invited(store, group, caller)
    for person in others:
        await peer_groups.answer(uow, elected(person), group.group_id, AnswerIn(accept=True))
    first = clock.now + timedelta(days=14)
    await peer_groups.schedule(
        uow, elected(caller), group.group_id, ScheduleIn(first_session_at=first, remote=True)
    )
    return caller, others


async def test_the_organiser_moves_a_session_with_the_next_sequence(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    caller, _ = await scheduled(uow, store, clock)
    first = store.emitted_of(SessionScheduled)[0]
    later = first.starts_at + timedelta(days=2)
    moved = await sessions.reschedule(
        uow, elected(caller), first.session_id, RescheduleIn(starts_at=later, reason="Conseil")
    )
    assert (moved.sequence, moved.starts_at, moved.cancelled) == (1, later, False)
    [event] = store.emitted_of(SessionRescheduled)
    assert event.session_id == first.session_id and event.sequence == 1
    assert event.previous_starts_at == first.starts_at
    assert event.ends_at - event.starts_at == first.ends_at - first.starts_at
    assert event.participants == first.participants and event.title == first.title
    again = await sessions.reschedule(
        uow, elected(caller), first.session_id, RescheduleIn(starts_at=later + timedelta(hours=1))
    )
    assert again.sequence == 2
    with pytest.raises(Unchanged):
        await sessions.reschedule(
            uow,
            elected(caller),
            first.session_id,
            RescheduleIn(starts_at=later + timedelta(hours=1)),
        )


async def test_the_organiser_cancels_and_a_cancelled_session_stays_so(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    caller, _ = await scheduled(uow, store, clock)
    first = store.emitted_of(SessionScheduled)[0]
    done = await sessions.cancel(uow, elected(caller), first.session_id, CancelIn(reason="Grève"))
    assert done.cancelled and done.sequence == 1
    [event] = store.emitted_of(SessionCancelled)
    assert (event.sequence, event.reason, event.cancelled_at) == (1, "Grève", clock.now)
    with pytest.raises(SessionCancelledAlready):
        await sessions.cancel(uow, elected(caller), first.session_id, CancelIn(reason="Encore"))
    with pytest.raises(SessionCancelledAlready):
        await sessions.reschedule(
            uow, elected(caller), first.session_id, RescheduleIn(starts_at=first.starts_at)
        )
    group = await peer_groups.get_group(uow, elected(caller), first.related_id)
    assert first.starts_at not in group.sessions and len(group.sessions) == 4


async def test_a_forged_change_is_refused_and_changes_nothing(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    caller, others = await scheduled(uow, store, clock)
    first = store.emitted_of(SessionScheduled)[0]
    emitted = len(store.emitted)
    for intruder in (elected(others[0]), elected("stranger"), with_roles("rh", "hr")):
        with pytest.raises(NotAllowed):
            await sessions.reschedule(
                uow, intruder, first.session_id, RescheduleIn(starts_at=first.starts_at)
            )
        with pytest.raises(NotAllowed):
            await sessions.cancel(uow, intruder, first.session_id, CancelIn(reason="Forgé"))
    with pytest.raises(PastSession):
        await sessions.reschedule(
            uow, elected(caller), first.session_id, RescheduleIn(starts_at=clock.now)
        )
    assert len(store.emitted) == emitted
    row = await uow.plans.get_session(first.session_id)
    assert row is not None and row.sequence == 0 and row.cancelled_at is None
    operator = with_roles("ops", "operator")
    assert (
        await sessions.cancel(uow, operator, first.session_id, CancelIn(reason="Ops"))
    ).cancelled


async def test_sessions_are_listed_to_their_people_only(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    _, others = await scheduled(uow, store, clock)
    first = store.emitted_of(SessionScheduled)[0]
    mine = await sessions.list_sessions(uow, elected(others[1]), first.related_id)
    assert len(mine) == 5 and mine[0].session_id == first.session_id
    assert await sessions.list_sessions(uow, elected("stranger"), first.related_id) == []
    with pytest.raises(NotAllowed):
        await sessions.get_session(uow, elected("stranger"), first.session_id)


async def test_the_agenda_lists_her_coming_sessions_and_drops_the_cancelled_and_past(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    caller, others = await scheduled(uow, store, clock)
    planned = store.emitted_of(SessionScheduled)
    mine = await sessions.my_coming_sessions(uow, elected(others[0]))
    assert [s.session_id for s in mine] == [s.session_id for s in planned]
    assert [s.starts_at for s in mine] == sorted(s.starts_at for s in mine)
    assert await sessions.my_coming_sessions(uow, elected("stranger")) == []

    await sessions.cancel(uow, elected(caller), planned[1].session_id, CancelIn(reason="Salle"))
    clock.set(planned[0].ends_at)
    left = await sessions.my_coming_sessions(uow, elected(caller))
    assert [s.session_id for s in left] == [s.session_id for s in planned[2:]]
