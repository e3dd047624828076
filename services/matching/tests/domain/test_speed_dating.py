from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_matching.domain.speed_dating import Participant, audit, plan_speed_dating

START = datetime(2027, 1, 15, 18, 0, tzinfo=UTC)


@st.composite
def gatherings(draw: st.DrawFn) -> list[Participant]:
    communes = draw(st.integers(1, 8))
    size = draw(st.integers(0, 24))
    return [
        Participant(f"e{i:02d}", f"0100{draw(st.integers(0, communes - 1))}") for i in range(size)
    ]


@settings(max_examples=120, deadline=None)
@given(gatherings(), st.integers(1, 12), st.integers(0, 10_000))
def test_rounds_respect_every_constraint(people, rounds, seed) -> None:
    plan = plan_speed_dating(people, rounds, seed=seed, start=START)
    commune = {p.person_id: p.commune_insee for p in people}
    assert len(plan.rounds) <= rounds
    met: set[frozenset[str]] = set()
    for r in plan.rounds:
        in_round = [p for pair in r.pairs for p in pair]
        assert len(in_round) == len(set(in_round))
        for a, b in r.pairs:
            assert commune[a] != commune[b]
            assert frozenset((a, b)) not in met
            met.add(frozenset((a, b)))
        assert set(in_round) | set(r.sitting_out) == set(commune)
    assert audit(plan, people) == []
    assert plan == plan_speed_dating(people, rounds, seed=seed, start=START)


@settings(max_examples=120, deadline=None)
@given(gatherings(), st.integers(1, 10), st.integers(0, 10_000))
def test_nobody_sits_out_while_a_possible_partner_also_sits_out(people, rounds, seed) -> None:
    plan = plan_speed_dating(people, rounds, seed=seed, start=START)
    commune = {p.person_id: p.commune_insee for p in people}
    met: set[frozenset[str]] = set()
    for r in plan.rounds:
        idle = r.sitting_out
        for i, a in enumerate(idle):
            for b in idle[i + 1 :]:
                assert commune[a] == commune[b] or frozenset((a, b)) in met
        met |= {frozenset(pair) for pair in r.pairs}


@settings(max_examples=60, deadline=None)
@given(gatherings(), st.integers(0, 1000))
def test_past_meetings_are_not_repeated_in_a_new_gathering(people, seed) -> None:
    first = plan_speed_dating(people, 3, seed=seed, start=START)
    second = plan_speed_dating(people, 3, seed=seed + 1, start=START, already_met=first.met_pairs())
    assert not first.met_pairs() & second.met_pairs()


def test_rounds_are_timed_and_the_plan_explains_itself() -> None:
    people = [Participant(f"e{i}", f"0100{i % 3}") for i in range(7)]
    plan = plan_speed_dating(people, 4, seed=7, start=START, minutes_per_round=6, minutes_between=1)
    assert plan.rounds[0].start == START
    assert plan.rounds[0].end == START + timedelta(minutes=6)
    assert plan.rounds[1].start == START + timedelta(minutes=7)
    assert plan.log[0].startswith("Graine 7")
    assert any("En pause" in line for line in plan.log)  # 7 people: someone sits out
    assert plan.log[-1].startswith("Contrôle : aucune rencontre répétée")


def test_as_many_rounds_as_possible_then_a_reason() -> None:
    people = [Participant(f"e{i}", f"c{i}") for i in range(4)]
    plan = plan_speed_dating(people, 5, seed=1, start=START)
    assert len(plan.rounds) == 3  # 4 people meet each other in 3 rounds
    assert any("Tour 4 impossible" in line for line in plan.log)
    assert all(len(r.pairs) == 2 for r in plan.rounds)
