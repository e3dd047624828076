"""The queues' arguments: bounded DLQs that refuse rather than drop, and the at-least-once
dead-lettering that keeps a refused message in its source queue (RabbitMQ 3.10)."""

import pytest
from pydantic import ValidationError

from deformations_common.settings import Environment, ServiceSettings
from deformations_common.topology import Subscription, Topology

PINGS = Subscription("ponger", "test.pinged.v1")


def settings(**overrides: object) -> ServiceSettings:
    return ServiceSettings(environment=Environment.TEST, **overrides)  # type: ignore[arg-type]


def test_a_dlq_is_bounded_by_its_setting_and_refuses_past_it() -> None:
    dlq = Topology(settings(dlq_max_length=3)).dead_letter_queue(PINGS)
    assert dlq.name == "ponger.test.pinged.v1.dlq"
    # drop-head would silently lose the oldest dead letters.
    assert dlq.arguments == {
        "x-queue-type": "quorum",
        "x-max-length": 3,
        "x-overflow": "reject-publish",
    }


def test_the_default_bound_is_large_and_a_zero_bound_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert settings().dlq_max_length == 100_000
    monkeypatch.setenv("DLQ_MAX_LENGTH", "5")
    assert settings().dlq_max_length == 5
    with pytest.raises(ValidationError, match="dlq_max_length"):
        settings(dlq_max_length=0)


def test_what_the_broker_dead_letters_itself_waits_in_its_source_queue() -> None:
    topology = Topology(settings())
    for queue in (topology.main_queue(PINGS), *topology.retry_queues(PINGS)):
        assert queue.arguments is not None
        assert queue.arguments["x-dead-letter-strategy"] == "at-least-once", queue.name
        # At-least-once dead-lettering needs it; these queues have no bound of their own.
        assert queue.arguments["x-overflow"] == "reject-publish", queue.name
        assert "x-max-length" not in queue.arguments, queue.name
    main = topology.main_queue(PINGS)
    assert main.arguments is not None
    assert main.arguments["x-dead-letter-routing-key"] == topology.queue_name(PINGS)
