"""The relay's publisher and the consumer's retries never wait on a channel for ever, nor
keep one that nacks.

A fake connection stands for the broker: each channel it opens behaves as told (confirms,
nacks every publish, returns it, or never answers), so each case is certain to happen.
"""

import asyncio
from collections.abc import Generator
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import aio_pika
import aiormq
import pytest
from aio_pika.exceptions import DeliveryError, PublishError
from aiormq.abc import DeliveredMessage
from pamqp.commands import Basic
from pamqp.header import ContentHeader
from runtime_harness import Behaviour, consumer_handlers, ping, standard_headers

from deformations_common.codec import OutgoingMessage, encode
from deformations_common.consumer import ATTEMPT_HEADER, KIND_HEADER, MessageProcessor
from deformations_common.messaging import EventPublisher, create_broker
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Topology
from deformations_contracts.cloudevents import CONTENT_TYPE

# A test that would hang without the deadlines fails after this long instead.
GUARD_S = 10.0


class FakeChannel:
    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.published = 0
        # What it confirmed: (exchange, routing key, message).
        self.confirmed: list[tuple[str, str, Any]] = []
        self.closed = False

    def __await__(self) -> Generator[Any, None, "FakeChannel"]:
        async def opened() -> FakeChannel:
            return self

        return opened().__await__()

    async def get_exchange(self, name: str, *, ensure: bool = True) -> "FakeExchange":
        return FakeExchange(self, name)

    async def close(self) -> None:
        self.closed = True


class FakeExchange:
    def __init__(self, channel: FakeChannel, name: str) -> None:
        self.channel = channel
        self.name = name

    async def publish(self, message: Any, routing_key: str, **_: Any) -> None:
        self.channel.published += 1
        if self.channel.closed:
            raise aiormq.exceptions.ChannelInvalidStateError("closed")
        if self.channel.behaviour == "nack":
            raise DeliveryError(None, Basic.Nack(delivery_tag=self.channel.published))
        if self.channel.behaviour == "return":
            returned = DeliveredMessage(
                delivery=Basic.Return(reply_code=312, reply_text="NO_ROUTE", routing_key=""),
                header=ContentHeader(),
                body=b"",
                channel=None,  # type: ignore[arg-type]
            )
            raise PublishError(returned, Basic.Ack())
        if self.channel.behaviour == "silent":
            await asyncio.Event().wait()
        self.channel.confirmed.append((self.name, routing_key, message))


class FakeConnection:
    """Its channels behave, in turn, as ``behaviours`` says; then they confirm."""

    def __init__(self, *behaviours: str) -> None:
        self._behaviours = list(behaviours)
        self.channels: list[FakeChannel] = []
        self.close_callbacks: set[Any] = set()
        self.reconnect_callbacks: set[Any] = set()

    def channel(self, **_: Any) -> FakeChannel:
        behaviour = self._behaviours.pop(0) if self._behaviours else "ack"
        self.channels.append(FakeChannel(behaviour))
        return self.channels[-1]

    async def close(self) -> None:
        return None

    def lose(self) -> None:
        """What the robust connection does when its node goes away."""
        for callback in list(self.close_callbacks):
            callback(self, ConnectionError("node lost (test)"))


async def started(connection: FakeConnection, **kwargs: Any) -> EventPublisher:
    async def connect(*_: Any, **__: Any) -> FakeConnection:
        return connection

    publisher = EventPublisher("amqp://fake/", "events", connect=connect, **kwargs)  # type: ignore[arg-type]
    await publisher.start()
    return publisher


def messages(n: int) -> list[OutgoingMessage]:
    return [OutgoingMessage(uuid4(), "test.pinged.v1", {}, b"{}") for _ in range(n)]


async def test_a_channel_that_nacks_is_replaced_and_the_next_batch_is_confirmed() -> None:
    connection = FakeConnection("nack")
    publisher = await started(connection)

    outcomes = await asyncio.wait_for(publisher.publish_batch(messages(3)), GUARD_S)
    assert all(isinstance(o, DeliveryError) for o in outcomes)
    assert len(connection.channels) == 2
    assert connection.channels[0].closed

    assert await asyncio.wait_for(publisher.publish_batch(messages(3)), GUARD_S) == [None] * 3
    assert connection.channels[1].published == 3


async def test_a_confirm_that_never_comes_is_given_up_at_the_deadline() -> None:
    connection = FakeConnection("silent")
    publisher = await started(connection, timeout_s=0.2)

    outcomes = await asyncio.wait_for(publisher.publish_batch(messages(2)), GUARD_S)
    assert all(isinstance(o, TimeoutError) for o in outcomes)
    assert len(connection.channels) == 2, "the silent channel was kept"
    assert await asyncio.wait_for(publisher.publish_batch(messages(2)), GUARD_S) == [None] * 2


async def test_batches_failing_side_by_side_replace_the_channel_once() -> None:
    connection = FakeConnection("nack")
    publisher = await started(connection)

    await asyncio.gather(publisher.publish_batch(messages(2)), publisher.publish_batch(messages(2)))
    assert len(connection.channels) == 2


async def test_a_returned_message_keeps_the_channel() -> None:
    # No queue bound to the routing key: the message's fault, not the channel's.
    connection = FakeConnection("return")
    publisher = await started(connection)

    outcomes = await publisher.publish_batch(messages(2))
    assert all(isinstance(o, PublishError) for o in outcomes)
    assert len(connection.channels) == 1


async def test_no_channel_is_opened_while_the_connection_is_lost() -> None:
    # The robust connection restores the channel itself once a node answers again.
    connection = FakeConnection("nack")
    publisher = await started(connection)
    connection.lose()
    assert not publisher.connected

    await publisher.publish_batch(messages(1))
    assert len(connection.channels) == 1


@pytest.mark.parametrize("timeout_s", [0.0, -1.0])
def test_the_deadline_must_be_positive(timeout_s: float) -> None:
    from pydantic import ValidationError

    from deformations_common.settings import ServiceSettings

    with pytest.raises(ValidationError):
        ServiceSettings(environment="test", broker_timeout_s=timeout_s)


# The consumer's own publishes (retries, deferrals, dead letters) have such a channel too.


class FakeDelivery:
    """A delivery as the consumer sees it: settled once, by an ack or a requeue."""

    def __init__(self, body: bytes, headers: dict[str, Any]) -> None:
        self.raw_message = SimpleNamespace(
            body=body, headers=headers, content_type=CONTENT_TYPE, message_id=str(uuid4())
        )
        self.settled: list[str] = []

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nack(self, requeue: bool = True) -> None:
        self.settled.append("requeue" if requeue else "nack")


def no_database() -> Any:
    raise ValueError("no database in this test")


async def consumer(connection: FakeConnection, **settings: Any) -> MessageProcessor:
    service = ServiceSettings(environment="test", service_name="ponger", **settings)
    handlers = consumer_handlers(Behaviour())
    processor = MessageProcessor(
        service, create_broker(service), Topology(service), no_database, tracer=None
    )
    processor.register(handlers)
    await processor.open_publishing(connection)  # type: ignore[arg-type]
    return processor


async def deliver(processor: MessageProcessor, delivery: FakeDelivery) -> None:
    handlers = consumer_handlers(Behaviour())
    subscription = handlers.subscriptions[0]
    registration = handlers.registrations[subscription.routing_key]
    await asyncio.wait_for(
        processor.process(subscription, registration, delivery),  # type: ignore[arg-type]
        GUARD_S,
    )


def malformed() -> FakeDelivery:
    return FakeDelivery(b"{oops", standard_headers())


def failing() -> FakeDelivery:
    # A valid event whose handling fails (no database): it goes to a retry queue.
    message = encode(ping(1), source="pinger")
    return FakeDelivery(message.body, dict(message.headers))


async def test_a_dead_letter_nacked_requeues_its_message_and_the_next_goes_on_a_new_channel() -> (
    None
):
    connection = FakeConnection("nack")
    processor = await consumer(connection)

    first = malformed()
    await deliver(processor, first)
    assert first.settled == ["requeue"], "acked though its dead letter was not confirmed"
    assert len(connection.channels) == 2
    assert connection.channels[0].closed

    second = malformed()
    await deliver(processor, second)
    assert second.settled == ["ack"]
    [(exchange, routing_key, message)] = connection.channels[1].confirmed
    assert (exchange, routing_key) == ("deformations.events.dlx", "ponger.test.pinged.v1")
    assert message.headers[KIND_HEADER] == "malformed"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT


async def test_a_retry_whose_confirm_never_comes_requeues_its_message_at_the_deadline() -> None:
    connection = FakeConnection("silent")
    processor = await consumer(connection, broker_timeout_s=0.2)

    first = failing()
    await deliver(processor, first)
    assert first.settled == ["requeue"]
    assert len(connection.channels) == 2, "the silent channel was kept"

    second = failing()
    await deliver(processor, second)
    assert second.settled == ["ack"]
    [(exchange, routing_key, message)] = connection.channels[1].confirmed
    assert exchange == "ponger.retry"
    assert routing_key.startswith("ponger.test.pinged.v1.retry")
    assert message.headers[ATTEMPT_HEADER] == 1
    assert message.message_id == second.raw_message.message_id


async def test_the_consumer_keeps_its_channel_while_the_connection_is_lost() -> None:
    connection = FakeConnection("nack")
    processor = await consumer(connection)
    connection.lose()

    delivery = malformed()
    await deliver(processor, delivery)
    assert delivery.settled == ["requeue"]
    assert len(connection.channels) == 1


async def test_without_its_publishing_channel_the_consumer_requeues() -> None:
    processor = await consumer(FakeConnection())
    await processor.close_publishing()

    delivery = malformed()
    await deliver(processor, delivery)
    assert delivery.settled == ["requeue"]
