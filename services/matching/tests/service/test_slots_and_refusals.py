"""Common slots without strangers' availability, a group's slots or who blocks, and a café
listing someone twice: a clear refusal that changes nothing."""

from datetime import timedelta

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.people import MembershipRole, MembershipStatus
from deformations_contracts.types import TimeSlot
from deformations_matching.domain.errors import Duplicate, NotAllowed, NotInvitable
from deformations_matching.service import cafes, invitable, peer_calls, read_models, slots
from deformations_matching.service.peer_calls import PeerCallIn
from deformations_matching.service.slots import MemberIn, SlotsIn

from .fakes import FakeUow, Store
from .people import AOUSTE, CREST, EPCI, SAILLANS, diagnosis, elected, membership, with_roles
from .test_cafes_and_speed_dating import cafe
from .test_peer_calls import PROBLEM, diagnosed


async def test_a_strangers_availability_is_never_read(uow: FakeUow, clock: ManualClock) -> None:
    for person, commune, slot in (
        ("a", CREST, TimeSlot.EVENING),
        ("stranger", SAILLANS, TimeSlot.LUNCH),
    ):
        await read_models.record_diagnosis(uow, diagnosis(person, commune, clock.now, slot=slot))
    body = SlotsIn(members=[MemberIn(person_id="a"), MemberIn(person_id="stranger")])
    seen = await slots.find_common_slots(uow, elected("a"), body)
    # The stranger's lunch-only availability would block the evening: it is not read.
    assert seen.found and seen.unknown == ["stranger"]
    assert [s.code for s in seen.slots] == ["evening"]
    hr = await slots.find_common_slots(uow, with_roles("rh", "hr"), body)
    assert hr.unknown == ["a", "stranger"]
    operator = await slots.find_common_slots(uow, with_roles("ops", "operator"), body)
    assert not operator.found and operator.unknown == []
    assert operator.blocking_members == ["a", "stranger"]


async def test_a_groups_common_slots_are_shown_to_its_members_only(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    caller, *_ = await diagnosed(uow, 4)
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    group = await peer_calls.form_group(uow, elected(caller), call.call_id)
    members = sorted(store.groups[group.group_id].answers)
    shown = await slots.group_common_slots(uow, elected(caller), group.group_id)
    assert shown.found and [s.code for s in shown.slots] == ["evening"]
    with pytest.raises(NotAllowed):
        await slots.group_common_slots(uow, elected("stranger"), group.group_id)
    # One member's availability changes to mornings only: they are who blocks.
    changed = diagnosis(members[1], AOUSTE, clock.now + timedelta(days=1), slot=TimeSlot.MORNING)
    await read_models.record_diagnosis(uow, changed)
    blocked = await slots.group_common_slots(uow, elected(caller), group.group_id)
    assert not blocked.found and blocked.blocking_members == [members[1]]
    # Members of one's group are no strangers to the general search either.
    body = SlotsIn(members=[MemberIn(person_id=p) for p in members])
    assert (await slots.find_common_slots(uow, elected(caller), body)).unknown == []


async def test_a_cafe_listing_someone_twice_is_a_clear_refusal(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    participants = [
        {"person_id": "elu-a", "role": "elu", "subjects": ["alimentation"]},
        {"person_id": "elu-a", "role": "technicien", "subjects": ["alimentation"]},
        {"person_id": "tech-b", "role": "technicien", "subjects": ["alimentation"]},
    ]
    body = cafe(clock.now.date() + timedelta(days=7), participants=participants)
    with pytest.raises(Duplicate) as refused:
        await cafes.plan_cafe(uow, with_roles("rh", "hr", authority=CREST[1]), body)
    assert refused.value.details == {"participants": ["elu-a"]}
    assert "une fois" in refused.value.message
    assert not store.emitted and not store.cafe_cycles


async def test_a_cafe_invites_only_validated_members_of_the_collectivite(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    now = clock.now
    before = now - timedelta(days=1)
    # A diagnosis taken in Crest is no membership of Crest.
    await read_models.record_diagnosis(uow, diagnosis("diagnosed-only", CREST, now))
    for event in (
        membership("elu-a", CREST[1], now),
        membership("tech-a", CREST[1], now, role=MembershipRole.AGENT),
        membership("elu-saillans", SAILLANS[1], now),
        membership("asked", CREST[1], now, status=MembershipStatus.REQUESTED),
        # Revoked, then the older validation arrives late: the latest change wins.
        membership("ex-elu", CREST[1], now, status=MembershipStatus.REVOKED),
        membership("ex-elu", CREST[1], before),
    ):
        await read_models.record_membership(uow, event)
    participants = [
        {"person_id": p, "role": role, "subjects": ["alimentation"]}
        for p, role in (
            ("elu-a", "elu"),
            ("elu-saillans", "elu"),
            ("ex-elu", "elu"),
            ("asked", "elu"),
            ("diagnosed-only", "elu"),
            ("tech-a", "technicien"),
        )
    ]
    body = cafe(clock.now.date() + timedelta(days=7), participants=participants)
    with pytest.raises(NotInvitable) as refused:
        await cafes.plan_cafe(uow, with_roles("rh", "hr", authority=CREST[1]), body)
    strangers = ["asked", "diagnosed-only", "elu-saillans", "ex-elu"]
    assert refused.value.details == {"participants": strangers}
    assert not store.emitted and not store.cafe_cycles
    # The members alone make a café.
    members = cafe(clock.now.date() + timedelta(days=7), participants=participants[::5])
    planned = await cafes.plan_cafe(uow, with_roles("rh", "hr", authority=CREST[1]), members)
    assert [(p.elu, p.technicien) for p in planned.pairs] == [("elu-a", "tech-a")]


async def test_an_evening_of_an_epci_invites_members_of_its_communes_or_of_itself(
    uow: FakeUow, clock: ManualClock
) -> None:
    await read_models.record_membership(uow, membership("elu-crest", CREST[1], clock.now))
    await read_models.record_membership(uow, membership("elu-epci", EPCI, clock.now))
    await read_models.record_membership(uow, membership("elu-ailleurs", "217500016", clock.now))
    people = ["elu-crest", "elu-epci", "elu-ailleurs"]
    assert await invitable.members_among(uow, EPCI, people) == {"elu-crest", "elu-epci"}
    assert await invitable.members_among(uow, CREST[1], people) == {"elu-crest"}


async def test_no_membership_is_kept_for_an_erased_person(uow: FakeUow, store: Store) -> None:
    await store.erased_people.record("gone", uow.now())
    await read_models.record_membership(uow, membership("gone", CREST[1], uow.now()))
    assert not store.memberships
