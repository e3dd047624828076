from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_contracts.types import Modality, TimeSlot
from deformations_matching.domain.cafe import CafeParticipant, monthly_days, pair_cafe
from deformations_matching.domain.cafe_review import review_opens
from deformations_matching.domain.grouping import group_similar_needs
from deformations_matching.domain.model import Availability
from deformations_matching.domain.slots import common_slots, slot_label
from deformations_matching.domain.text import TextModel

from .strategies import worlds

members_st = st.dictionaries(
    st.sampled_from([f"m{i}" for i in range(6)]),
    st.builds(
        Availability,
        st.frozensets(st.sampled_from(list(TimeSlot)), min_size=1, max_size=4),
        st.sampled_from(list(Modality)),
    ),
    min_size=1,
)


@settings(max_examples=150, deadline=None)
@given(members_st)
def test_common_slots_or_who_blocks(members) -> None:
    report = common_slots(members)
    expected = frozenset.intersection(*(a.slots for a in members.values()))
    assert set(report.slots) == expected
    if not expected:
        assert report.blockers
        for slot, blockers in report.blockers.items():
            assert set(blockers) == {p for p, a in members.items() if slot not in a.slots}
        best = min(len(b) for b in report.blockers.values())
        assert best >= 1
        assert "Aucun créneau commun" in report.explanation
        named = [b for b in report.blockers.values() if len(b) == best]
        assert any(all(p in report.explanation for p in b) for b in named)
    else:
        assert all(slot_label(s) in report.explanation for s in report.slots)
    if not report.modalities:
        assert report.modality_blockers
        assert all(p in report.explanation for p in report.modality_blockers)


def test_remote_and_on_site_only_members_block_each_other() -> None:
    report = common_slots(
        {
            "a": Availability(frozenset({TimeSlot.LUNCH}), Modality.ON_SITE),
            "b": Availability(frozenset({TimeSlot.LUNCH}), Modality.REMOTE),
            "c": Availability(frozenset({TimeSlot.LUNCH}), Modality.EITHER),
        }
    )
    assert report.slots == (TimeSlot.LUNCH,)
    assert not report.found
    assert report.modality_blockers == ("a",)


def test_monthly_slot_keeps_the_weekday_rank() -> None:
    assert monthly_days(date(2027, 1, 12), 3) == (
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
    )  # second Tuesday
    assert monthly_days(date(2027, 1, 29), 2)[1] == date(2027, 2, 26)  # 5th Friday → last


people_st = st.lists(
    st.tuples(
        st.sampled_from(["s1", "s2"]),
        st.frozensets(st.sampled_from(["eau", "energie", "mobilite"]), min_size=1, max_size=2),
    ),
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(people_st, people_st)
def test_cafe_pairs_and_rotation(elus_raw, techs_raw) -> None:
    elus = [CafeParticipant(f"e{i}", s, subj) for i, (s, subj) in enumerate(elus_raw)]
    techs = [CafeParticipant(f"t{i}", s, subj) for i, (s, subj) in enumerate(techs_raw)]
    plan = pair_cafe(elus, techs, first_day=date(2027, 1, 12))
    by_id = {p.person_id: p for p in [*elus, *techs]}
    used = [p.elu_id for p in plan.pairs] + [p.technician_id for p in plan.pairs]
    assert len(used) == len(set(used))
    for pair in plan.pairs:
        elu, tech = by_id[pair.elu_id], by_id[pair.technician_id]
        assert elu.collectivite_siren == tech.collectivite_siren == pair.collectivite_siren
        assert set(pair.shared_subjects) == elu.subjects & tech.subjects != set()
        assert len(pair.sessions) == 3
        assert all((s.start, s.end) == (time(8), time(9)) for s in pair.sessions)
    assert set(used) | set(plan.unpaired) == set(by_id)
    following = pair_cafe(elus, techs, first_day=date(2027, 4, 13), previous_cycle=plan.memory)
    assert not plan.memory & following.memory


@settings(max_examples=60, deadline=None)
@given(worlds(max_offers=0, max_requests=25))
def test_grouped_needs_are_near_duplicates_from_nearby_communes(world) -> None:
    _, requests = world
    model = TextModel([r.description for r in requests])
    groups = group_similar_needs(requests, lambda r: model.vectorize(r.description), threshold=0.6)
    by_id = {r.request_id: r for r in requests}
    seen: set[str] = set()
    for group in groups:
        members = [by_id[r] for r in group.request_ids]
        assert len(members) >= 2
        assert not seen & set(group.request_ids)
        seen |= set(group.request_ids)
        assert len({m.place.departement for m in members}) == 1
        assert all(group.theme in m.themes for m in members)
        assert len({m.requester_siren for m in members}) == len(members)
        assert group.reasons
        combined = group.as_request(requests)
        assert combined.request_id == group.group_id


@pytest.mark.parametrize(
    ("first", "opens"),
    [
        (date(2026, 1, 12), date(2026, 4, 12)),
        (date(2026, 11, 30), date(2027, 2, 28)),  # a shorter month: its last day
        (date(2027, 10, 5), date(2028, 1, 5)),
    ],
)
def test_the_review_opens_three_months_after_the_first_cafe(first: date, opens: date) -> None:
    assert review_opens(first) == opens
