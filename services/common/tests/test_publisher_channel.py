"""The relay's publisher never waits on its channel for ever, nor keeps one that nacks.

A fake connection stands for the broker: each channel it opens behaves as told (confirms,
nacks every publish, returns it, or never answers), so each case is certain to happen.
"""

import asyncio
from collections.abc import Generator
from typing import Any
from uuid import uuid4

import aiormq
import pytest
from aio_pika.exceptions import DeliveryError, PublishError
from aiormq.abc import DeliveredMessage
from pamqp.commands import Basic
from pamqp.header import ContentHeader

from deformations_common.codec import OutgoingMessage
from deformations_common.messaging import EventPublisher

# A test that would hang without the deadlines fails after this long instead.
GUARD_S = 10.0


class FakeChannel:
    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.published = 0
        self.closed = False

    def __await__(self) -> Generator[Any, None, "FakeChannel"]:
        async def opened() -> FakeChannel:
            return self

        return opened().__await__()

    async def get_exchange(self, name: str, *, ensure: bool = True) -> "FakeExchange":
        return FakeExchange(self)

    async def close(self) -> None:
        self.closed = True


class FakeExchange:
    def __init__(self, channel: FakeChannel) -> None:
        self.channel = channel

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
    publisher._lost()

    await publisher.publish_batch(messages(1))
    assert len(connection.channels) == 1


@pytest.mark.parametrize("timeout_s", [0.0, -1.0])
def test_the_deadline_must_be_positive(timeout_s: float) -> None:
    from pydantic import ValidationError

    from deformations_common.settings import ServiceSettings

    with pytest.raises(ValidationError):
        ServiceSettings(environment="test", broker_timeout_s=timeout_s)
