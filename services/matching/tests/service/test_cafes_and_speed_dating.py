"""The café élus–techniciens and the speed dating entre voisins, over an in-memory unit of work."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError

from deformations_common.vocabulary.clock import ManualClock
from deformations_common.vocabulary.french import PARIS
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.events.sessions import SessionKind, SessionScheduled
from deformations_matching.domain.errors import (
    Duplicate,
    NoPair,
    NoRound,
    NotAllowed,
    NotInvitable,
    OutsideEpci,
    PastSession,
    UnknownCycle,
    UnknownEpci,
)
from deformations_matching.service import cafes, read_models, speed_dating, speed_dating_audit
from deformations_matching.service.cafes import CafeIn
from deformations_matching.service.speed_dating import SpeedDatingIn

from .fakes import FakeUow, Store
from .people import AOUSTE, CREST, EPCI, MIRABEL, SAILLANS, diagnosis, membership, with_roles

SIREN = CREST[1]
VOISINS = [CREST, CREST, SAILLANS, AOUSTE, MIRABEL]


@pytest.fixture(autouse=True)
async def known_people(uow: FakeUow) -> None:
    """Validated members of their commune, as the portal published them, with a diagnosis."""
    people = [(p, CREST) for p in ("elu-a", "elu-b", "tech-a", "tech-b")]
    people += [(f"voisin-{i}", c) for i, c in enumerate(VOISINS)]
    for person, commune in people:
        await read_models.record_diagnosis(uow, diagnosis(person, commune, uow.now()))
        await read_models.record_membership(uow, membership(person, commune[1], uow.now()))


def cafe(first_day: date, **changes: object) -> CafeIn:
    values: dict[str, object] = {
        "collectivite_siren": SIREN,
        "first_day": first_day,
        "remote": True,
        "participants": [
            {"person_id": "elu-a", "role": "elu", "subjects": ["alimentation"]},
            {"person_id": "elu-b", "role": "elu", "subjects": ["energie"]},
            {"person_id": "tech-a", "role": "technicien", "subjects": ["alimentation"]},
            {"person_id": "tech-b", "role": "technicien", "subjects": ["energie", "eau"]},
        ],
    }
    values.update(changes)
    return CafeIn.model_validate(values)


async def test_a_cafe_pairs_shared_subjects_in_paris_time(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    hr = with_roles("rh-1", "hr", authority=SIREN)
    first_day = clock.now.date() + timedelta(days=7)
    out = await cafes.plan_cafe(uow, hr, cafe(first_day))
    assert sorted((p.elu, p.technicien) for p in out.pairs) == [
        ("elu-a", "tech-a"),
        ("elu-b", "tech-b"),
    ]
    first = out.pairs[0].sessions[0].astimezone(PARIS)
    assert (first.date(), first.hour, first.minute) == (first_day, 8, 0)
    pairs = [
        e for e in store.emitted_of(MatchProposed) if e.kind is ProposalKind.ELU_TECHNICIEN_PAIR
    ]
    assert len(pairs) == 2 and {p.proposed_at for p in pairs} == {clock.now}
    sessions = store.emitted_of(SessionScheduled)
    assert len(sessions) == 6 and {s.kind for s in sessions} == {SessionKind.CAFE_ELUS_TECHNICIENS}
    assert (await cafes.get_cafe(uow, hr, out.cycle_id)) == out
    with pytest.raises(NotAllowed):
        await cafes.get_cafe(uow, with_roles("rh-2", "hr", authority="938438454"), out.cycle_id)

    # The next cycle does not form a pair of the last one again.
    with pytest.raises(NoPair) as refused:
        await cafes.plan_cafe(uow, hr, cafe(first_day + timedelta(days=90)))
    assert refused.value.details["unpaired"]
    assert len(store.cafe_cycles) == 1


async def test_a_cafe_in_the_past_or_for_another_collectivite_is_refused(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    with pytest.raises(PastSession):
        await cafes.plan_cafe(
            uow, with_roles("rh-1", "hr", authority=SIREN), cafe(clock.now.date())
        )
    with pytest.raises(NotAllowed):
        await cafes.plan_cafe(
            uow, with_roles("rh-2", "hr", authority="938438454"), cafe(date(2027, 1, 4))
        )
    assert not store.emitted and not store.cafe_cycles


@pytest.mark.parametrize("times", [{"start": "08:00+02:00"}, {"start": "08:00Z", "end": "09:00Z"}])
def test_a_cafe_at_a_time_with_an_offset_is_refused(times: dict[str, str]) -> None:
    """The café meets at local (Paris) times: an offset is refused at the door, not
    compared with naive times later (a 500 the API fuzzing found)."""
    with pytest.raises(ValidationError, match="sans décalage horaire"):
        cafe(date(2027, 1, 4), **times)
    assert cafe(date(2027, 1, 4), start="18:30", end="19:30").end.hour == 19


def gathering(clock: ManualClock, **changes: object) -> SpeedDatingIn:
    values: dict[str, object] = {
        "epci_siren": EPCI,
        "starts_at": clock.now + timedelta(days=21),
        "rounds": 3,
        "seed": 7,
        "place_label": "Salle des fêtes de Saillans",
        "participants": [
            {"person_id": f"voisin-{i}", "commune_insee": c[0]} for i, c in enumerate(VOISINS)
        ],
    }
    values.update(changes)
    return SpeedDatingIn.model_validate(values)


async def test_rounds_are_sound_replayable_and_never_repeat_a_meeting(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    trainer = with_roles("formatrice", "trainer")
    first = await speed_dating.plan(uow, trainer, gathering(clock))
    assert [r.number for r in first.rounds] == [1, 2, 3]
    met = {frozenset(p) for r in first.rounds for p in r.pairs}
    assert frozenset(("voisin-0", "voisin-1")) not in met  # same commune
    audit = await speed_dating_audit.audit_plan(uow, trainer, first.gathering_id)
    assert audit.sound and audit.replayed_identically and not audit.violations
    [rotation] = store.emitted_of(MatchProposed)
    assert rotation.kind is ProposalKind.SPEED_DATING_ROTATION and rotation.seed == 7
    # One invitation per participant for the whole evening, not one per round.
    [evening] = store.emitted_of(SessionScheduled)
    assert evening.session_id == first.session_id and evening.related_id == first.gathering_id
    assert evening.participants == [f"voisin-{i}" for i in range(5)]
    assert (evening.starts_at, evening.ends_at) == (
        first.rounds[0].starts_at,
        first.rounds[-1].ends_at,
    )

    second = await speed_dating.plan(uow, trainer, gathering(clock, rounds=5, seed=8))
    again = {frozenset(p) for r in second.rounds for p in r.pairs}
    assert not again & met
    participant = with_roles("voisin-2", "elected")
    assert (await speed_dating_audit.get_plan(uow, participant, second.gathering_id)) == second
    with pytest.raises(NotAllowed):
        await speed_dating_audit.get_plan(uow, with_roles("x", "elected"), second.gathering_id)


async def test_a_gathering_that_breaks_a_rule_changes_nothing(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    trainer = with_roles("formatrice", "trainer")
    outsider = [{"person_id": "far", "commune_insee": "75056"}]
    with pytest.raises(OutsideEpci) as refused:
        await speed_dating.plan(
            uow,
            trainer,
            gathering(
                clock, participants=[*gathering(clock).model_dump()["participants"], *outsider]
            ),
        )
    assert refused.value.details == {"participants": ["far"]}
    doubled = [{"person_id": "a", "commune_insee": CREST[0]}] * 2
    with pytest.raises(Duplicate):
        await speed_dating.plan(uow, trainer, gathering(clock, participants=doubled))
    with pytest.raises(UnknownEpci):
        await speed_dating.plan(uow, trainer, gathering(clock, epci_siren="999999999"))
    same_commune = [{"person_id": p, "commune_insee": CREST[0]} for p in ("voisin-0", "voisin-1")]
    with pytest.raises(NoRound):
        await speed_dating.plan(uow, trainer, gathering(clock, participants=same_commune))
    with pytest.raises(NotAllowed):
        await speed_dating.plan(
            uow, with_roles("elu", "elected", authority=SIREN), gathering(clock)
        )
    # Someone matching cannot tie to the EPCI cannot be invited (any id, before).
    unknown = [
        *gathering(clock).model_dump()["participants"],
        {"person_id": "forged", "commune_insee": AOUSTE[0]},
    ]
    with pytest.raises(NotInvitable) as forged:
        await speed_dating.plan(uow, trainer, gathering(clock, participants=unknown))
    assert forged.value.details == {"participants": ["forged"]}
    assert not store.emitted and not store.speed_datings


async def test_the_cafe_cycles_of_a_collectivite_coming_running_then_past(
    uow: FakeUow, clock: ManualClock
) -> None:
    hr = with_roles("rh-1", "hr", authority=SIREN)
    first_day = clock.now.date() + timedelta(days=7)
    out = await cafes.plan_cafe(uow, hr, cafe(first_day))
    elue = with_roles("elu-a", "elected", authority=SIREN)
    [cycle] = await cafes.list_cafes(uow, elue, 50)
    assert (cycle.cycle_id, cycle.pairs, cycle.unpaired) == (out.cycle_id, 2, 0)
    assert cycle.first_day == first_day and cycle.status == "coming"
    assert (cycle.last_day - cycle.first_day).days > 50  # three monthly cafés
    clock.advance(timedelta(days=30))
    assert [c.status for c in await cafes.list_cafes(uow, elue, 50)] == ["running"]
    clock.advance(timedelta(days=90))
    assert [c.status for c in await cafes.list_cafes(uow, elue, 50)] == ["past"]
    assert await cafes.list_cafes(uow, with_roles("x", "hr", authority="938438454"), 50) == []
    with pytest.raises(NotAllowed):
        await cafes.list_cafes(uow, with_roles("ops", "operator"), 50)


async def test_the_topics_log_of_a_cycle_kept_by_its_pairs_and_organisers(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    hr = with_roles("rh-1", "hr", authority=SIREN)
    first_day = clock.now.date() + timedelta(days=7)
    out = await cafes.plan_cafe(uow, hr, cafe(first_day))
    technician = with_roles("tech-a", "agent", authority=SIREN)
    later = cafes.TopicIn(discussed_on=first_day + timedelta(days=28), topic="Le PCAET")
    await cafes.log_topic(uow, technician, out.cycle_id, later)
    first = cafes.TopicIn(discussed_on=first_day, topic="  La cantine bio  ")
    await cafes.log_topic(uow, hr, out.cycle_id, first)
    logged = await cafes.cafe_topics(uow, technician, out.cycle_id)
    assert [(t.topic, t.author) for t in logged] == [
        ("La cantine bio", "rh-1"),
        ("Le PCAET", "tech-a"),
    ]
    # An agent of Crest who is in no pair reads the log but does not write in it; another
    # collectivité sees neither.
    other_agent = with_roles("agent-x", "agent", authority=SIREN)
    assert len(await cafes.cafe_topics(uow, other_agent, out.cycle_id)) == 2
    with pytest.raises(NotAllowed):
        await cafes.log_topic(uow, other_agent, out.cycle_id, first)
    stranger = with_roles("rh-2", "hr", authority="938438454")
    with pytest.raises(NotAllowed):
        await cafes.cafe_topics(uow, stranger, out.cycle_id)
    with pytest.raises(UnknownCycle):
        await cafes.log_topic(uow, hr, uuid4(), first)
    assert len(store.cafe_topics) == 2
    with pytest.raises(ValidationError):
        cafes.TopicIn(discussed_on=first_day, topic=" a ")
