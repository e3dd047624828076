import pytest

from deformations_contracts.base import EventData
from deformations_contracts.registry import EVENTS, model_for

CATALOGUE = {
    "diagnosis.completed.v1": "diagnosis",
    "diagnosis.team_updated.v1": "diagnosis",
    "skill.offered.v1": "lending",
    "skill.requested.v1": "lending",
    "offer.withdrawn.v1": "lending",
    "request.withdrawn.v1": "lending",
    "match.proposed.v1": "matching",
    "speed_dating.mutual_mark.v1": "matching",
    "loan.action_requested.v1": "lending",
    "loan.agreed.v1": "lending",
    "loan.completed.v1": "lending",
    "loan.cancelled.v1": "lending",
    "session.scheduled.v1": "lending",
    "session.cancelled.v1": "lending",
    "session.rescheduled.v1": "lending",
    "person.erasure_requested.v1": "portal",
    "enrolment.confirmed.v1": "training",
    "enrolment.waitlisted.v1": "training",
    "enrolment.promoted.v1": "training",
    "enrolment.cancelled.v1": "training",
    "rebond.proposed.v1": "training",
    "rebond.answered.v1": "training",
    "evaluation.due.v1": "training",
    "evaluation.answered.v1": "training",
    "membership.changed.v1": "portal",
    "programme.invited.v1": "training",
    "programme.review_due.v1": "training",
    "content.hidden.v1": "matching",
    "content.shown.v1": "matching",
}
SERVICES = {"diagnosis", "lending", "matching", "notifications", "portal", "training"}


def test_every_event_of_the_catalogue_is_registered_with_its_producer() -> None:
    assert {key: model.producer for key, model in EVENTS.items()} == CATALOGUE


def test_sessions_may_also_come_from_matching_and_training() -> None:
    for key in ("session.scheduled.v1", "session.cancelled.v1", "session.rescheduled.v1"):
        assert EVENTS[key].producers() == ("lending", "matching", "training")


def test_producers_are_services(model: type[EventData]) -> None:
    assert set(model.producers()) <= SERVICES
    assert len(set(model.producers())) == len(model.producers())


def test_type_and_dataschema_follow_the_routing_key(model: type[EventData]) -> None:
    assert model.event_type() == f"fr.deformations.{model.routing_key}"
    assert model.dataschema() == f"https://deformations.fr/schemas/{model.routing_key}.json"


def test_model_for_an_unknown_routing_key_is_a_key_error() -> None:
    assert model_for("loan.agreed.v1").__name__ == "LoanAgreed"
    with pytest.raises(KeyError):
        model_for("loan.agreed.v9")
