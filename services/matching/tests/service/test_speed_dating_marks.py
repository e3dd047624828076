"""The rotation table of a speed-dating evening and the « atomes crochus » after it."""

from datetime import timedelta

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.matching import SpeedDatingMutualMark
from deformations_matching.domain.errors import EveningNotOver, NotAllowed, NotMet
from deformations_matching.service import speed_dating, speed_dating_marks
from deformations_matching.service.speed_dating import SpeedDatingOut
from deformations_matching.service.speed_dating_marks import MarksIn

from .fakes import FakeUow, Store
from .people import with_roles
from .test_cafes_and_speed_dating import gathering, known_people

__all__ = ["known_people"]

TRAINER = with_roles("formatrice", "trainer")


def met_by(plan: SpeedDatingOut, person: str) -> list[str]:
    return sorted(
        {b if a == person else a for r in plan.rounds for a, b in r.pairs if person in (a, b)}
    )


async def test_the_rotation_table_gives_each_participant_a_partner_per_round(
    uow: FakeUow, clock: ManualClock
) -> None:
    plan = await speed_dating.plan(uow, TRAINER, gathering(clock))
    table = await speed_dating_marks.rotation(uow, TRAINER, plan.gathering_id)
    assert [r.number for r in table.rounds] == [1, 2, 3]
    assert [row.person_id for row in table.table] == [f"voisin-{i}" for i in range(5)]
    for row in table.table:
        assert len(row.partners) == 3
        for number, partner in enumerate(row.partners):
            pairs = {frozenset(p) for p in plan.rounds[number].pairs}
            if partner is None:
                assert row.person_id in plan.rounds[number].sitting_out
            else:
                assert frozenset((row.person_id, partner)) in pairs
    with pytest.raises(NotAllowed):
        await speed_dating_marks.rotation(uow, with_roles("x", "elected"), plan.gathering_id)


async def test_only_mutual_marks_are_revealed_and_to_both(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    plan = await speed_dating.plan(uow, TRAINER, gathering(clock))
    a = plan.rounds[0].pairs[0][0]
    b = plan.rounds[0].pairs[0][1]
    with pytest.raises(EveningNotOver):
        await speed_dating_marks.mark(
            uow, with_roles(a, "elected"), plan.gathering_id, MarksIn(see_again=[b])
        )
    clock.set(plan.rounds[-1].ends_at + timedelta(minutes=1))
    first = await speed_dating_marks.mark(
        uow, with_roles(a, "elected"), plan.gathering_id, MarksIn(see_again=[b])
    )
    assert first.see_again == [b] and first.mutual == []
    # b has not marked a: nothing of a's mark shows to b.
    assert (
        await speed_dating_marks.my_marks(uow, with_roles(b, "elected"), plan.gathering_id)
    ).mutual == []
    both = await speed_dating_marks.mark(
        uow, with_roles(b, "elected"), plan.gathering_id, MarksIn(see_again=[a])
    )
    assert both.mutual == [a]
    again = await speed_dating_marks.my_marks(uow, with_roles(a, "elected"), plan.gathering_id)
    assert again.mutual == [b]

    never_met = sorted({f"voisin-{i}" for i in range(5)} - set(met_by(plan, a)) - {a}) or [
        "inconnu"
    ]
    with pytest.raises(NotMet):
        await speed_dating_marks.mark(
            uow, with_roles(a, "elected"), plan.gathering_id, MarksIn(see_again=never_met)
        )
    with pytest.raises(NotAllowed):
        await speed_dating_marks.mark(
            uow, with_roles("x", "elected"), plan.gathering_id, MarksIn(see_again=[a])
        )
    assert store.marks[plan.gathering_id][a] == [b]


async def test_a_mark_becoming_mutual_is_published_once_for_the_relay(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    plan = await speed_dating.plan(uow, TRAINER, gathering(clock))
    a, b = plan.rounds[0].pairs[0]
    clock.set(plan.rounds[-1].ends_at + timedelta(minutes=1))
    await speed_dating_marks.mark(
        uow, with_roles(a, "elected"), plan.gathering_id, MarksIn(see_again=[b])
    )
    assert store.emitted_of(SpeedDatingMutualMark) == []  # one-sided: nobody is told
    await speed_dating_marks.mark(
        uow, with_roles(b, "elected"), plan.gathering_id, MarksIn(see_again=[a])
    )
    [event] = store.emitted_of(SpeedDatingMutualMark)
    assert event.gathering_id == plan.gathering_id and event.people == sorted((a, b))
    assert event.marked_at == clock.now
    # Marking the same person again is no news.
    await speed_dating_marks.mark(
        uow, with_roles(a, "elected"), plan.gathering_id, MarksIn(see_again=[b])
    )
    assert len(store.emitted_of(SpeedDatingMutualMark)) == 1
