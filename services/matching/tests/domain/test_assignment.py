from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_matching.domain.assignment import assign_globally
from deformations_matching.domain.index import Candidate


@st.composite
def markets(draw: st.DrawFn):
    n_offers = draw(st.integers(1, 8))
    n_requests = draw(st.integers(1, 14))
    capacities = {f"o{i}": draw(st.integers(0, 4)) for i in range(n_offers)}
    lender_of = {f"o{i}": f"l{draw(st.integers(0, 3))}" for i in range(n_offers)}
    demands = {f"r{i}": draw(st.integers(1, 3)) for i in range(n_requests)}
    candidates = {
        r: [
            Candidate(o, draw(st.floats(0.0, 1.05)))
            for o in draw(st.lists(st.sampled_from(sorted(capacities)), max_size=4, unique=True))
        ]
        for r in demands
    }
    return demands, candidates, capacities, lender_of


def _used(assignment) -> dict[str, int]:
    used: dict[str, int] = {}
    for a in assignment.allocations:
        used[a.offer_id] = used.get(a.offer_id, 0) + a.half_days
    return used


@settings(max_examples=150, deadline=None)
@given(markets())
def test_no_capacity_exceeded_and_no_request_over_served(market) -> None:
    demands, candidates, capacities, lender_of = market
    assignment = assign_globally(demands, candidates, capacities, lender_of)
    for offer_id, used in _used(assignment).items():
        assert used <= capacities[offer_id]
    for request_id, demand in demands.items():
        served = assignment.served(request_id)
        assert served + assignment.unserved.get(request_id, 0) == demand
    for a in assignment.allocations:
        assert a.offer_id in {c.offer_id for c in candidates[a.request_id]}
    assert assignment == assign_globally(demands, candidates, capacities, lender_of)


@settings(max_examples=150, deadline=None)
@given(markets())
def test_nobody_left_out_twice_in_a_row_when_a_match_exists(market) -> None:
    demands, candidates, capacities, lender_of = market
    first = assign_globally(demands, candidates, capacities, lender_of)
    left_out = set(first.unserved)
    second = assign_globally(
        demands, candidates, capacities, lender_of, unmatched_last_round=left_out
    )
    used = _used(second)
    prioritised_use: dict[str, int] = {}
    for a in second.allocations:
        if a.request_id in left_out:
            prioritised_use[a.offer_id] = prioritised_use.get(a.offer_id, 0) + a.half_days
            assert a.prioritised
            assert a.reasons
    for request_id in left_out & set(second.unserved):
        # Still unserved only if each of its offers is full of other prioritised requests.
        for candidate in candidates[request_id]:
            assert used.get(candidate.offer_id, 0) == capacities[candidate.offer_id]
            assert prioritised_use.get(candidate.offer_id, 0) == capacities[candidate.offer_id]


def test_load_is_spread_before_a_lender_is_swamped() -> None:
    # Two equally good lenders: the flow shares the work instead of filling one.
    demands = {f"r{i}": 1 for i in range(4)}
    candidates = {r: [Candidate("big", 0.8), Candidate("other", 0.79)] for r in demands}
    assignment = assign_globally(
        demands, candidates, {"big": 4, "other": 4}, {"big": "A", "other": "B"}
    )
    assert _used(assignment) == {"big": 2, "other": 2}
