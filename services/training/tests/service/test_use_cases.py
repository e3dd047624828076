"""The use cases over an in-memory unit of work: fast, no server."""

from datetime import timedelta

import pytest
from fake_uow import FakeUow, Store
from jsonschema import Draft202012Validator, FormatChecker
from training_factories import BODY, CC_CRESTOIS, CREST, NOW, offer
from training_service import elu

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.events.training import (
    EnrolmentPromoted,
    EnrolmentWaitlisted,
    EvaluationDue,
    EvaluationKind,
)
from deformations_contracts.schemas import schema_of
from deformations_training.domain.enrolments import EnrolmentStatus
from deformations_training.domain.errors import Forbidden
from deformations_training.domain.offers import Offer, PriceTier
from deformations_training.domain.policy import Actor
from deformations_training.service import budget, enrolments, followups, offers
from deformations_training.service.enrolments import Member

MEMBERS = [
    "212600118",
    "212600159",
    "212600191",
    "212600803",
    "212600902",
    "212601082",
    "212601223",
    "212601835",
]


@pytest.fixture
def uow() -> FakeUow:
    return FakeUow(Store(), ManualClock(NOW))


def add(uow: FakeUow, o: Offer) -> Offer:
    uow.store.offers[o.id] = o
    return o


async def test_enrol_fill_waitlist_and_promote_in_order(uow: FakeUow) -> None:
    o = add(uow, offer(capacity=2))
    made = {}
    for person in ("a", "b", "c", "d"):
        uow.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
        made[person] = await enrolments.enrol(
            uow, elu(person), o.id, person_id=person, collectivite_siren=CREST
        )
    assert [made[p].status for p in "abcd"] == [EnrolmentStatus.CONFIRMED] * 2 + [
        EnrolmentStatus.WAITLISTED
    ] * 2
    waits = [e for e in uow.store.events if isinstance(e, EnrolmentWaitlisted)]
    assert [(w.person_id, w.position) for w in waits] == [("c", 1), ("d", 2)]
    sessions = [e for e in uow.store.events if isinstance(e, SessionScheduled | SessionRescheduled)]
    assert isinstance(sessions[0], SessionScheduled) and sessions[0].participants == ["a"]
    assert sessions[-1].participants == ["a", "b"] and sessions[-1].sequence == 1

    uow.store.events.clear()
    await enrolments.cancel(uow, elu("a"), made["a"].id)
    assert uow.store.keys()[:2] == ["enrolment.cancelled.v1", "enrolment.promoted.v1"]
    promoted = [e for e in uow.store.events if isinstance(e, EnrolmentPromoted)]
    assert [p.person_id for p in promoted] == ["c"]
    assert uow.store.events[-1].participants == ["b", "c"]  # type: ignore[attr-defined]
    with pytest.raises(Forbidden):
        await enrolments.cancel(uow, elu("b"), made["d"].id)


async def test_a_group_pays_its_tier_and_is_repriced(uow: FakeUow) -> None:
    o = add(
        uow,
        offer(capacity=20, price_cents=30_000, tiers=[PriceTier(4, 24_000), PriceTier(8, 15_000)]),
    )
    rh = Actor("rh", CREST, frozenset({"hr"}))
    _, members = await enrolments.enrol_group(
        uow,
        rh,
        o.id,
        territory_siren=CC_CRESTOIS,
        members=[Member(f"e{i}", s) for i, s in enumerate(MEMBERS)],
    )
    assert {m.price_cents for m in members} == {15_000}
    await enrolments.cancel(uow, rh, members[0].id)
    assert {
        e.price_cents
        for e in uow.store.enrolments.values()
        if e.status is EnrolmentStatus.CONFIRMED
    } == {24_000}
    with pytest.raises(Forbidden):
        await enrolments.enrol_group(
            uow, elu("x"), o.id, territory_siren=CC_CRESTOIS, members=[Member("x", CREST)]
        )


async def test_questionnaires_fall_due_on_the_clock(uow: FakeUow) -> None:
    o = add(uow, offer())
    e = await enrolments.enrol(uow, elu("a"), o.id, person_id="a", collectivite_siren=CREST)
    session = o.sessions[0]
    uow.clock.set(session.ends_at)  # type: ignore[attr-defined]
    trainer = Actor("t", BODY, frozenset({"trainer"}))
    await enrolments.record_attendance(uow, trainer, e.id, session.id, True)
    assert await followups.announce_due_evaluations(uow) == 1
    assert await followups.announce_due_evaluations(uow) == 0
    uow.clock.advance(timedelta(days=186))  # type: ignore[attr-defined]
    assert await followups.announce_due_evaluations(uow) == 1
    uow.clock.advance(timedelta(days=186))  # type: ignore[attr-defined]
    assert await followups.announce_due_evaluations(uow) == 1
    due = [ev for ev in uow.store.events if isinstance(ev, EvaluationDue)]
    assert [d.kind for d in due] == [
        EvaluationKind.SATISFACTION,
        EvaluationKind.IMPACT_6_MONTHS,
        EvaluationKind.IMPACT_12_MONTHS,
    ]
    assert due[0].session_id == session.id


async def test_an_unanswered_questionnaire_is_reminded_once(uow: FakeUow) -> None:
    o = add(uow, offer())
    e = await enrolments.enrol(uow, elu("a"), o.id, person_id="a", collectivite_siren=CREST)
    session = o.sessions[0]
    uow.clock.set(session.ends_at)  # type: ignore[attr-defined]
    trainer = Actor("t", BODY, frozenset({"trainer"}))
    await enrolments.record_attendance(uow, trainer, e.id, session.id, True)
    assert await followups.announce_due_evaluations(uow) == 1
    uow.clock.advance(timedelta(days=13))  # type: ignore[attr-defined]
    assert await followups.remind_unanswered_evaluations(uow) == 0
    uow.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    assert await followups.remind_unanswered_evaluations(uow) == 1
    uow.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    assert await followups.remind_unanswered_evaluations(uow) == 0
    due = [ev for ev in uow.store.events if isinstance(ev, EvaluationDue)]
    assert [(d.kind, d.reminder) for d in due] == [
        (EvaluationKind.SATISFACTION, False),
        (EvaluationKind.SATISFACTION, True),
    ]
    assert due[0].evaluation_id == due[1].evaluation_id


async def test_only_the_collectivite_votes_its_budget(uow: FakeUow) -> None:
    with pytest.raises(Forbidden):
        await budget.vote(
            uow,
            Actor("rh", "200040509", frozenset({"hr"})),
            CREST,
            2026,
            voted_cents=1,
            allowances_envelope_cents=None,
        )
    with pytest.raises(Forbidden):
        await budget.vote(uow, elu("a"), CREST, 2026, voted_cents=1, allowances_envelope_cents=None)


async def test_moving_and_cancelling_tell_the_participants(uow: FakeUow) -> None:
    o = add(uow, offer(capacity=5))
    trainer = Actor("t", BODY, frozenset({"trainer"}))
    with pytest.raises(Forbidden):
        await offers.cancel(uow, Actor("t", "111111111", frozenset({"trainer"})), o.id, "Non.")
    e = await enrolments.enrol(uow, elu("a"), o.id, person_id="a", collectivite_siren=CREST)
    session = o.sessions[0]
    later = session.starts_at + timedelta(days=7)
    await offers.reschedule_session(
        uow, trainer, o.id, session.id, later, later + timedelta(hours=3), "Salle indisponible."
    )
    moved = uow.store.events[-1]
    assert isinstance(moved, SessionRescheduled)
    assert (moved.starts_at, moved.previous_starts_at, moved.sequence) == (
        later,
        session.starts_at,
        1,
    )
    uow.store.events.clear()
    await offers.cancel(uow, trainer, o.id, "Formatrice malade, formation reportée.")
    assert uow.store.keys() == ["enrolment.cancelled.v1", "session.cancelled.v1"]
    cancelled = uow.store.events[-1]
    assert isinstance(cancelled, SessionCancelled) and cancelled.participants == ["a"]
    assert uow.store.enrolments[e.id].status is EnrolmentStatus.CANCELLED


async def test_every_event_of_the_use_cases_validates_against_its_schema(uow: FakeUow) -> None:
    o = add(uow, offer(capacity=1))
    first = await enrolments.enrol(uow, elu("a"), o.id, person_id="a", collectivite_siren=CREST)
    await enrolments.enrol(uow, elu("b"), o.id, person_id="b", collectivite_siren=CREST)
    await enrolments.cancel(uow, elu("a"), first.id)
    assert {
        "enrolment.confirmed.v1",
        "enrolment.waitlisted.v1",
        "enrolment.cancelled.v1",
        "enrolment.promoted.v1",
        "session.scheduled.v1",
    } <= set(uow.store.keys())
    for event in uow.store.events:
        Draft202012Validator(schema_of(type(event)), format_checker=FormatChecker()).validate(
            event.model_dump(mode="json")
        )
        assert type(event).validate_strict(event.model_dump(mode="json")) == event
