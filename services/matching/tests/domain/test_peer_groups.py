from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_contracts.types import Modality, TimeSlot
from deformations_matching.domain.invitations import (
    InvitationError,
    InvitationStatus,
    PeerInvitation,
    session_times,
)
from deformations_matching.domain.model import Availability
from deformations_matching.domain.peer_groups import (
    PeerCandidate,
    form_peer_groups,
    recruit_peers,
)
from deformations_matching.domain.slots import common_slots


@st.composite
def candidates(draw: st.DrawFn) -> list[PeerCandidate]:
    size = draw(st.integers(0, 40))
    return [
        PeerCandidate(
            person_id=f"p{i:02d}",
            commune_insee=f"0100{draw(st.integers(0, 5))}",
            theme=draw(st.sampled_from(["eau", "energie"])),
            family=draw(st.sampled_from(["pionnier", "prudent", "débordé"])),
            axes=(draw(st.floats(0, 1)), draw(st.floats(0, 1))),
            availability=Availability(
                draw(st.frozensets(st.sampled_from(list(TimeSlot)), max_size=4)),
                draw(st.sampled_from(list(Modality))),
            ),
            in_network=draw(st.booleans()),
        )
        for i in range(size)
    ]


@settings(max_examples=120, deadline=None)
@given(candidates(), st.integers(0, 1000))
def test_groups_have_bounded_sizes_a_theme_and_a_common_slot(people, seed) -> None:
    grouping = form_peer_groups(people, seed=seed)
    by_id = {p.person_id: p for p in people}
    seen: set[str] = set()
    for group in grouping.groups:
        assert 4 <= len(group.members) <= 5
        assert not seen & set(group.members)
        seen |= set(group.members)
        assert {by_id[m].theme for m in group.members} == {group.theme}
        report = common_slots({m: by_id[m].availability for m in group.members})
        assert report.found
        assert group.slots == report.slots
        assert group.reasons
    assert seen | set(grouping.unplaced) == set(by_id)
    assert not seen & set(grouping.unplaced)
    assert all(reason for reason in grouping.unplaced.values())
    assert grouping == form_peer_groups(people, seed=seed)


def test_those_outside_networks_are_preferred() -> None:
    slot = Availability(frozenset({TimeSlot.EVENING}))
    caller = PeerCandidate("caller", "01001", "eau", "prudent", (0.5,), slot)
    insiders = [
        PeerCandidate(f"in{i}", "01002", "eau", "prudent", (0.5,), slot, in_network=True)
        for i in range(4)
    ]
    outsiders = [
        PeerCandidate(f"out{i}", "01003", "eau", "prudent", (0.5,), slot) for i in range(3)
    ]
    group = recruit_peers(caller, [*insiders, *outsiders])
    assert group is not None
    assert "caller" in group.members
    assert {f"out{i}" for i in range(3)} <= set(group.members)
    assert len(group.members) == 5


def test_no_group_without_a_common_slot() -> None:
    people = [
        PeerCandidate(f"p{i}", "01001", "eau", "prudent", (0.5,), Availability(frozenset({s})))
        for i, s in enumerate(
            [TimeSlot.LUNCH, TimeSlot.EVENING, TimeSlot.MORNING, TimeSlot.WEEKEND]
        )
    ]
    grouping = form_peer_groups(people)
    assert grouping.groups == ()
    assert set(grouping.unplaced) == {p.person_id for p in people}
    assert recruit_peers(people[0], people) is None


def test_names_are_revealed_only_once_everyone_accepted() -> None:
    invitation = PeerInvitation.open("g1", ("a", "b", "c", "d", "e"))
    for person in ("a", "b", "c", "d"):
        invitation = invitation.respond(person, accept=True)
    assert invitation.status is InvitationStatus.PENDING
    assert invitation.visible_members("a") == ("a",)
    invitation = invitation.respond("e", accept=False)
    assert invitation.status is InvitationStatus.CONFIRMED
    assert invitation.visible_members("a") == ("a", "b", "c", "d")
    with pytest.raises(InvitationError):
        invitation.respond("e", accept=True)
    with pytest.raises(InvitationError):
        invitation.respond("stranger", accept=True)


def test_too_many_declines_call_for_new_recruits() -> None:
    invitation = PeerInvitation.open("g1", ("a", "b", "c", "d"))
    invitation = invitation.respond("a", accept=False)
    assert invitation.status is InvitationStatus.TOO_FEW


def test_first_session_then_follow_ups_at_the_chosen_rhythm() -> None:
    first = datetime(2027, 2, 1, 12, 15, tzinfo=UTC)
    times = session_times(first, every_weeks=3, follow_ups=4)
    assert len(times) == 5
    assert times[0] == first
    assert all(b - a == timedelta(weeks=3) for a, b in pairwise(times))
