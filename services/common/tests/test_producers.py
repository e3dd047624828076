"""The table of declared producers follows DESIGN §3's catalogue."""

from deformations_common.producers import DECLARED_PRODUCERS, produced_by
from deformations_contracts.registry import EVENTS


def test_every_catalogued_event_has_producers() -> None:
    assert set(DECLARED_PRODUCERS) == set(EVENTS)
    assert all(DECLARED_PRODUCERS.values())


def test_only_the_portal_asks_for_an_erasure() -> None:
    assert DECLARED_PRODUCERS["person.erasure_requested.v1"] == {"portal"}
    for service in ("diagnosis", "lending", "matching", "notifications"):
        assert "person.erasure_requested.v1" not in produced_by(service)


def test_matches_come_only_from_matching_and_loans_only_from_lending() -> None:
    assert DECLARED_PRODUCERS["match.proposed.v1"] == {"matching"}
    assert DECLARED_PRODUCERS["loan.agreed.v1"] == {"lending"}
    assert DECLARED_PRODUCERS["diagnosis.completed.v1"] == {"diagnosis"}


def test_sessions_come_from_lending_matching_and_training() -> None:
    for key in ("session.scheduled.v1", "session.cancelled.v1", "session.rescheduled.v1"):
        assert DECLARED_PRODUCERS[key] == {"lending", "matching", "training"}


def test_notifications_produces_nothing() -> None:
    assert produced_by("notifications") == ()
