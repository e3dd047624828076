"""The FastStream broker of a service and the publishing side of the runtime."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import aio_pika
from aio_pika.exceptions import CONNECTION_EXCEPTIONS, DeliveryError, PublishError
from faststream.rabbit import Channel, RabbitBroker
from yarl import URL

from deformations_common.codec import OutgoingMessage
from deformations_common.logging import get_logger
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Subscription, Topology
from deformations_contracts.cloudevents import CONTENT_TYPE


def amqp_urls(value: str) -> list[str]:
    """The broker nodes of ``AMQP_URL``: one URL, or several separated by commas."""
    urls = [url.strip() for url in value.split(",") if url.strip()]
    if not urls:
        raise ValueError("AMQP_URL names no broker node")
    return urls


# The default deadline of any one wait on the broker (``ServiceSettings.broker_timeout_s``).
BROKER_TIMEOUT_S = 30.0

log = get_logger()


class FailoverConnection(aio_pika.RobustConnection):
    """A robust connection over several nodes of one RabbitMQ cluster.

    Each (re)connection tries the nodes in turn, starting from the one that last
    worked, and fails only when none answers: losing a node moves the connection to
    another one, and the robust connection restores its channels and consumers there.

    One node's attempt (handshake, then the restoring of every channel, queue, binding
    and consumer) gets ``attempt_timeout_s``: aio-pika bounds none of these replies, and
    a node that accepts the connection but never answers (shutting down, overloaded, cut
    off without a FIN) would otherwise hold the reconnection forever.
    """

    def __init__(
        self,
        url: URL,
        loop: asyncio.AbstractEventLoop | None = None,
        *,
        urls: Sequence[str] = (),
        attempt_timeout_s: float = BROKER_TIMEOUT_S,
        **kwargs: Any,
    ) -> None:
        super().__init__(url, loop=loop, **kwargs)
        self._urls = [URL(u) for u in urls] or [self.url]
        self._current = 0
        self._attempt_timeout_s = attempt_timeout_s

    # RobustConnection connects each transport through this (name-mangled) method: the
    # only point where the node can be chosen before every attempt.
    async def _RobustConnection__connect_transport(self) -> None:  # noqa: N802
        connect = super()._RobustConnection__connect_transport  # type: ignore[misc]
        failure: BaseException | None = None
        for step in range(len(self._urls)):
            index = (self._current + step) % len(self._urls)
            self.url = self._urls[index]
            try:
                async with asyncio.timeout(self._attempt_timeout_s):
                    await connect()
            except TimeoutError as exc:
                log.warning(
                    "messaging.node_attempt_timed_out",
                    node=f"{self.url.host}:{self.url.port}",
                    timeout_s=self._attempt_timeout_s,
                )
                await self._abandon_transport(exc)
                failure = exc
                continue
            except CONNECTION_EXCEPTIONS as exc:
                failure = exc
                continue
            self._current = index
            return
        assert failure is not None
        raise failure

    async def _abandon_transport(self, exc: BaseException) -> None:
        """Close what a timed-out attempt opened: aio-pika closes the transport of a
        failed restore itself, but not of a cancelled one."""
        transport, self.transport = self.transport, None
        if transport is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(transport.connection.close(exc), self._attempt_timeout_s)


def connection_class(
    amqp_url: str, *, attempt_timeout_s: float = BROKER_TIMEOUT_S
) -> Callable[..., aio_pika.RobustConnection]:
    """The robust connection class of ``AMQP_URL``: a failover one over its nodes."""
    return partial(
        FailoverConnection, urls=amqp_urls(amqp_url), attempt_timeout_s=attempt_timeout_s
    )


async def connect_robust(
    amqp_url: str, *, attempt_timeout_s: float = BROKER_TIMEOUT_S, **kwargs: Any
) -> aio_pika.abc.AbstractRobustConnection:
    """A robust connection to the first node of ``AMQP_URL`` that answers."""
    urls = amqp_urls(amqp_url)
    return await aio_pika.connect_robust(
        urls[0],
        connection_class=connection_class(amqp_url, attempt_timeout_s=attempt_timeout_s),
        **kwargs,
    )


def create_broker(settings: ServiceSettings) -> RabbitBroker:
    """A broker that confirms every publish and raises on unroutable (returned) messages.

    Not connected here: the lifespan starts it. With several nodes in ``AMQP_URL``, its
    connection fails over from one to the next (``FailoverConnection``).
    """
    broker = RabbitBroker(
        amqp_urls(settings.amqp_url)[0],
        default_channel=Channel(
            prefetch_count=settings.prefetch, publisher_confirms=True, on_return_raises=True
        ),
        app_id=settings.service_name,
        # FastStream's logging middleware builds a log context for every message even when
        # its level is filtered out: it halved consumer throughput. The runtime logs what
        # matters itself (handling failures, dead letters, relay trouble).
        logger=None,
        graceful_timeout=15.0,
        reconnect_interval=1.0,
        # Handlers take the raw message; solving dependencies per message costs a thread hop.
        apply_types=False,
    )
    # FastStream passes these to aio-pika's connect_robust, which builds the connection
    # with this class: the broker fails over like the relay's publisher.
    broker._connection_kwargs["connection_class"] = connection_class(
        settings.amqp_url, attempt_timeout_s=settings.broker_timeout_s
    )
    return broker


async def _publish(exchange: aio_pika.abc.AbstractExchange, message: OutgoingMessage) -> None:
    """One event as a relay publishes it: persistent, mandatory, CloudEvents binary mode."""
    await exchange.publish(
        aio_pika.Message(
            message.body,
            headers=dict(message.headers),
            content_type=CONTENT_TYPE,
            message_id=str(message.event_id),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=message.routing_key,
        mandatory=True,
    )


Connect = Callable[..., Awaitable[aio_pika.abc.AbstractRobustConnection]]


def _channel_suspect(outcome: BaseException | None) -> bool:
    """Whether a publish's failure says its channel can no longer be trusted: a broker
    nack, or no confirm in time. A returned message (no queue bound) says nothing about
    the channel, and a lost connection is the robust connection's to restore."""
    if isinstance(outcome, TimeoutError):
        return True
    return isinstance(outcome, DeliveryError) and not isinstance(outcome, PublishError)


class EventPublisher:
    """The outbox relay's publisher: persistent, mandatory and confirmed messages.

    It has a robust connection of its own: RabbitMQ's flow control on a publishing
    connection then never slows the consumers, and the relay's hot path is bare aio-pika.

    Every publish waits for its confirm at most ``timeout_s``. After a batch with a nack or
    a confirm that never came, the channel is replaced by a new one: RabbitMQ 3.10 can
    leave a channel nacking every later publish to a quorum queue when its first publish
    to it met the queue without a leader (the window of an election, after a node's
    loss), while a new channel on the same node is confirmed at once.
    """

    def __init__(
        self,
        amqp_url: str,
        exchange: str,
        *,
        on_reconnect: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
        reconnect_interval_s: float = 1.0,
        timeout_s: float = BROKER_TIMEOUT_S,
        connect: Connect | None = None,
    ) -> None:
        """``connect``: opens the robust connection (``connect_robust``; tests give a fake)."""
        self._amqp_url = amqp_url
        self._connect = connect or connect_robust
        self._exchange_name = exchange
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._on_reconnect = on_reconnect
        self._on_lost = on_lost
        self._reconnect_interval_s = reconnect_interval_s
        self._timeout_s = timeout_s
        self._replacing = asyncio.Lock()
        # False from the loss of the connection until it and its channel are restored.
        self.connected = False

    async def start(self) -> None:
        self._connection = await self._connect(
            self._amqp_url,
            reconnect_interval=self._reconnect_interval_s,
            attempt_timeout_s=self._timeout_s,
        )
        self._connection.close_callbacks.add(self._lost)
        self._connection.reconnect_callbacks.add(self._restored)
        await self._open_channel()
        self.connected = True

    async def _open_channel(self) -> None:
        if self._connection is None:
            raise RuntimeError("the event publisher is not started")
        channel = self._connection.channel(publisher_confirms=True, on_return_raises=True)
        async with asyncio.timeout(self._timeout_s):
            await channel
        self._channel = channel
        self._exchange = await channel.get_exchange(self._exchange_name, ensure=False)

    def _lost(self, *_args: Any) -> None:
        self.connected = False
        if self._on_lost is not None:
            self._on_lost()

    def _restored(self, *_args: Any) -> None:
        # Called once the connection and its channels are restored: publishing works now.
        self.connected = True
        if self._on_reconnect is not None:
            self._on_reconnect()

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = self._exchange = None

    async def publish(self, message: OutgoingMessage) -> None:
        if self._exchange is None:
            raise RuntimeError("the event publisher is not started")
        async with asyncio.timeout(self._timeout_s):
            await _publish(self._exchange, message)

    async def publish_batch(
        self, messages: Sequence[OutgoingMessage]
    ) -> list[BaseException | None]:
        """Sent in order on one channel, each awaiting its own confirm; one outcome each."""
        exchange = self._exchange
        outcomes = await asyncio.gather(
            *(self.publish(m) for m in messages), return_exceptions=True
        )
        errors = [o if isinstance(o, BaseException) else None for o in outcomes]
        suspect = next((e for e in errors if _channel_suspect(e)), None)
        if suspect is not None:
            await self._replace_channel(exchange, suspect)
        return errors

    async def _replace_channel(
        self, stale: aio_pika.abc.AbstractExchange | None, reason: BaseException
    ) -> None:
        """A new channel instead of the one ``stale`` publishes on, unless another batch
        replaced it already; the old one is closed (its batches in flight fail and their
        events wait in the outbox)."""
        async with self._replacing:
            if self._exchange is not stale or not self.connected:
                return
            old = self._channel
            try:
                await self._open_channel()
            except Exception as exc:  # the next suspect batch tries again
                log.warning("messaging.publisher_channel_not_replaced", error=repr(exc)[:300])
                return
            log.warning("messaging.publisher_channel_replaced", reason=repr(reason)[:300])
            if old is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(old.close(), self._timeout_s)


async def declare_topology(
    broker: RabbitBroker, topology: Topology, subscriptions: Sequence[Subscription]
) -> None:
    """Exchanges, DLQs and retry queues; main queues are declared by their subscribers."""
    await broker.declare_exchange(topology.events)
    dead_letters = await broker.declare_exchange(topology.dead_letters)
    for subscription in subscriptions:
        dlq = await broker.declare_queue(topology.dead_letter_queue(subscription))
        await dlq.bind(dead_letters, routing_key=topology.queue_name(subscription))
    services = {subscription.service for subscription in subscriptions}
    for service in services:
        retry_exchange = await broker.declare_exchange(topology.retry_exchange(service))
        for subscription in (s for s in subscriptions if s.service == service):
            # An expired retry comes back to the main queue through the retry exchange.
            main = await broker.declare_queue(topology.main_queue(subscription))
            await main.bind(retry_exchange, routing_key=topology.queue_name(subscription))
            for retry in topology.retry_queues(subscription):
                queue = await broker.declare_queue(retry)
                await queue.bind(retry_exchange, routing_key=retry.name)


async def publish_once(amqp_url: str, exchange: str, messages: Sequence[OutgoingMessage]) -> None:
    """Publish encoded events on a short-lived connection, as a producer's relay would
    (persistent, mandatory, confirmed): for demos, tools and tests, not for services."""
    connection = await connect_robust(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        target = await channel.get_exchange(exchange)
        for message in messages:
            await _publish(target, message)
    finally:
        await connection.close()
