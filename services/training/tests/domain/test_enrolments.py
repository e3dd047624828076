from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from training_factories import CREST, NOW, offer

from deformations_training.domain import enrolments as rules
from deformations_training.domain.enrolments import EnrolmentStatus
from deformations_training.domain.errors import InvalidTransition


def enrol(o, confirmed, person="p", at=NOW):  # type: ignore[no-untyped-def]
    return rules.enrol(
        enrolment_id=uuid4(),
        offer=o,
        person_id=person,
        collectivite_siren=CREST,
        group_id=None,
        confirmed=confirmed,
        price_cents=o.price_cents,
        enrolled_by=person,
        now=at,
    )


def test_places_first_then_the_waitlist() -> None:
    o = offer(capacity=2)
    assert enrol(o, 0).status is EnrolmentStatus.CONFIRMED
    assert enrol(o, 1).status is EnrolmentStatus.CONFIRMED
    assert enrol(o, 2).status is EnrolmentStatus.WAITLISTED


def test_promotions_follow_the_order_of_requests_and_the_free_places() -> None:
    o = offer(capacity=3)
    late = enrol(o, 3, "late", NOW + timedelta(minutes=5))
    early = enrol(o, 3, "early", NOW + timedelta(minutes=1))
    middle = enrol(o, 3, "middle", NOW + timedelta(minutes=2))
    assert [e.person_id for e in rules.promotions(3, 2, [late, early, middle])] == ["early"]
    assert [e.person_id for e in rules.promotions(3, 1, [late, early, middle])] == [
        "early",
        "middle",
    ]
    assert rules.promotions(3, 3, [late]) == []


def test_a_started_offer_no_longer_takes_cancellations() -> None:
    o = offer()
    e = enrol(o, 0)
    starts = o.starts_at()
    assert starts is not None
    with pytest.raises(InvalidTransition):
        rules.cancel(e, o, starts + timedelta(minutes=1))
    cancelled = rules.cancel(e, o, NOW)
    with pytest.raises(InvalidTransition):
        rules.cancel(cancelled, o, NOW)


def test_attendance_is_for_confirmed_people_once_the_session_began() -> None:
    o = offer()
    e = enrol(o, 0)
    s = o.sessions[0]
    present = rules.record_attendance(e, o, s.id, True, s.starts_at)
    assert rules.followed(present, o)
    assert not rules.followed(rules.record_attendance(present, o, s.id, False, s.ends_at), o)
    with pytest.raises(InvalidTransition):
        rules.record_attendance(
            replace(e, status=EnrolmentStatus.WAITLISTED), o, s.id, True, s.starts_at
        )
