"""Each consumer declares the events it reads (its ``EventHandlers``) and is tested against
the producer's example payloads, through the real broker: every example is handled, none
is dead-lettered."""

import importlib
import importlib.util

import aio_pika
import pytest
from platform_harness import SERVICES, Platform
from prometheus_client import REGISTRY

from deformations_common.codec import encode
from deformations_common.consumer import EventHandlers
from deformations_common.producers import producers_of
from deformations_contracts.registry import EVENTS, examples
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration


def declared(service: str) -> EventHandlers:
    handlers: EventHandlers = importlib.import_module(
        f"deformations_{service}.subscribers"
    ).handlers
    return handlers


def consumed(service: str, routing_key: str, outcome: str) -> float:
    labels = {"service": service, "routing_key": routing_key, "outcome": outcome}
    return REGISTRY.get_sample_value("deformations_events_consumed_total", labels) or 0.0


CONSUMERS = [s for s in SERVICES if importlib.util.find_spec(f"deformations_{s}.subscribers")]


@pytest.mark.parametrize("service", CONSUMERS)
def test_consumers_read_only_catalogued_events_with_the_catalogued_model(service: str) -> None:
    handlers = declared(service)
    assert handlers.service == service
    for routing_key, registration in handlers.registrations.items():
        assert EVENTS[routing_key] is registration.model, routing_key


@pytest.mark.parametrize("service", CONSUMERS)
async def test_every_producer_example_is_handled(platform: Platform, service: str) -> None:
    running = await platform.start(service)
    handlers = declared(service)
    expected: dict[str, int] = {}
    before = {
        key: {o: consumed(service, key, o) for o in ("handled", "invalid", "rejected")}
        for key in handlers.registrations
    }
    for routing_key, registration in handlers.registrations.items():
        payloads = examples(routing_key)
        assert payloads, f"no example payload for {routing_key}"
        for payload in payloads:
            message = encode(
                registration.model.model_validate(payload),
                source=min(producers_of(registration.model)),
            )
            await platform.publish(message)
        expected[routing_key] = len(payloads)

    def all_handled() -> bool:
        return all(
            consumed(service, key, "handled") - before[key]["handled"] >= n
            for key, n in expected.items()
        )

    await wait_until(all_handled, what=f"{service} to handle every example")
    for key in expected:
        for outcome in ("invalid", "rejected"):
            assert consumed(service, key, outcome) == before[key][outcome], (key, outcome)
    # None is dead-lettered: every dead-letter queue of the service is still empty.
    topology = running.runtime.topology
    connection = await aio_pika.connect(platform.infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        for subscription in handlers.subscriptions:
            name = topology.dead_letter_queue(subscription).name
            queue = await channel.declare_queue(name, passive=True)
            assert queue.declaration_result.message_count == 0, name
