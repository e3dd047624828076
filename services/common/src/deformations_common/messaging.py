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

# The default deadline of any one wait on the broker (``ServiceSettings.broker_timeout_s``).
BROKER_TIMEOUT_S = 30.0
# The default AMQP heartbeat (``ServiceSettings.broker_heartbeat_s``). aiormq's own (60 s,
# three missed) notices a node gone without closing its TCP connection after ~3 minutes.
BROKER_HEARTBEAT_S = 15


def amqp_urls(value: str, *, heartbeat_s: int | None = None) -> list[str]:
    """The broker nodes of ``AMQP_URL``: one URL, or several separated by commas.

    ``heartbeat_s``: the heartbeat each node's URL asks for, unless it sets ``heartbeat=``
    itself (an operator's choice wins).
    """
    urls = [url.strip() for url in value.split(",") if url.strip()]
    if not urls:
        raise ValueError("AMQP_URL names no broker node")
    if heartbeat_s is None:
        return urls
    return [
        url if "heartbeat" in URL(url).query else str(URL(url).update_query(heartbeat=heartbeat_s))
        for url in urls
    ]


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
    amqp_url: str,
    *,
    attempt_timeout_s: float = BROKER_TIMEOUT_S,
    heartbeat_s: int = BROKER_HEARTBEAT_S,
) -> Callable[..., aio_pika.RobustConnection]:
    """The robust connection class of ``AMQP_URL``: a failover one over its nodes."""
    return partial(
        FailoverConnection,
        urls=amqp_urls(amqp_url, heartbeat_s=heartbeat_s),
        attempt_timeout_s=attempt_timeout_s,
    )


async def connect_robust(
    amqp_url: str,
    *,
    attempt_timeout_s: float = BROKER_TIMEOUT_S,
    heartbeat_s: int = BROKER_HEARTBEAT_S,
    **kwargs: Any,
) -> aio_pika.abc.AbstractRobustConnection:
    """A robust connection to the first node of ``AMQP_URL`` that answers."""
    urls = amqp_urls(amqp_url, heartbeat_s=heartbeat_s)
    return await aio_pika.connect_robust(
        urls[0],
        connection_class=connection_class(
            amqp_url, attempt_timeout_s=attempt_timeout_s, heartbeat_s=heartbeat_s
        ),
        **kwargs,
    )


def create_broker(settings: ServiceSettings) -> RabbitBroker:
    """A broker that confirms every publish and raises on unroutable (returned) messages.

    Not connected here: the lifespan starts it. With several nodes in ``AMQP_URL``, its
    connection fails over from one to the next (``FailoverConnection``).
    """
    broker = RabbitBroker(
        amqp_urls(settings.amqp_url, heartbeat_s=settings.broker_heartbeat_s)[0],
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
        settings.amqp_url,
        attempt_timeout_s=settings.broker_timeout_s,
        heartbeat_s=settings.broker_heartbeat_s,
    )
    return broker


def _event_message(message: OutgoingMessage) -> aio_pika.Message:
    """One event as a relay publishes it: persistent, CloudEvents binary mode."""
    return aio_pika.Message(
        message.body,
        headers=dict(message.headers),
        content_type=CONTENT_TYPE,
        message_id=str(message.event_id),
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def _publish(exchange: aio_pika.abc.AbstractExchange, message: OutgoingMessage) -> None:
    """Mandatory: an event no queue is bound for comes back as an error, not lost."""
    await exchange.publish(_event_message(message), routing_key=message.routing_key, mandatory=True)


Connect = Callable[..., Awaitable[aio_pika.abc.AbstractRobustConnection]]


def _channel_suspect(outcome: BaseException | None) -> bool:
    """Whether a publish's failure says its channel can no longer be trusted: a broker
    nack, or no confirm in time. A returned message (no queue bound) says nothing about
    the channel, and a lost connection is the robust connection's to restore."""
    if isinstance(outcome, TimeoutError):
        return True
    return isinstance(outcome, DeliveryError) and not isinstance(outcome, PublishError)


class ConfirmingChannel:
    """A publishing channel on a robust connection: mandatory publishes, each waiting
    for its confirm at most ``timeout_s``, and a new channel after a nack or a missing
    confirm.

    RabbitMQ 3.10 can leave a channel nacking every later publish to a quorum queue when
    its first publish to it met the queue without a leader (the window of an election,
    after a node's loss), while a new channel on the same node is confirmed at once.
    The relay's publisher and the consumer's retry and dead-letter publishes each have
    one, so neither keeps such a channel.

    ``connected`` follows the connection: False from its loss until it and its channels
    are restored; meanwhile no channel is replaced (the robust connection restores it).
    """

    def __init__(
        self,
        connection: aio_pika.abc.AbstractRobustConnection,
        *,
        timeout_s: float = BROKER_TIMEOUT_S,
        on_lost: Callable[[], None] | None = None,
        on_restored: Callable[[], None] | None = None,
    ) -> None:
        self._connection = connection
        self._timeout_s = timeout_s
        self._on_lost = on_lost
        self._on_restored = on_restored
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._exchanges: dict[str, aio_pika.abc.AbstractExchange] = {}
        self._replacing = asyncio.Lock()
        self.connected = False

    async def open(self) -> None:
        await self._open_channel()
        self._connection.close_callbacks.add(self.lost)
        self._connection.reconnect_callbacks.add(self.restored)
        self.connected = True

    async def close(self) -> None:
        """Closes the channel (the connection is its owner's)."""
        # A closed connection freezes its callbacks: nothing is called any more anyway.
        with contextlib.suppress(RuntimeError):
            self._connection.close_callbacks.discard(self.lost)
            self._connection.reconnect_callbacks.discard(self.restored)
        channel, self._channel = self._channel, None
        self.connected = False
        if channel is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(channel.close(), self._timeout_s)

    def lost(self, *_args: Any) -> None:
        self.connected = False
        if self._on_lost is not None:
            self._on_lost()

    def restored(self, *_args: Any) -> None:
        # Called once the connection and its channels are restored: publishing works now.
        self.connected = True
        if self._on_restored is not None:
            self._on_restored()

    async def _open_channel(self) -> None:
        channel = self._connection.channel(publisher_confirms=True, on_return_raises=True)
        async with asyncio.timeout(self._timeout_s):
            await channel
        self._channel = channel
        self._exchanges = {}

    async def _exchange(
        self, channel: aio_pika.abc.AbstractChannel, name: str
    ) -> aio_pika.abc.AbstractExchange:
        exchange = self._exchanges.get(name) if channel is self._channel else None
        if exchange is None:
            # Not declared, not even passively: a missing exchange closes the channel.
            exchange = await channel.get_exchange(name, ensure=False)
            if channel is self._channel:
                self._exchanges[name] = exchange
        return exchange

    async def publish(self, exchange: str, message: aio_pika.Message, routing_key: str) -> None:
        """Published and confirmed, or raises; a nack or a confirm not in time also
        replaces the channel, for the next publishes."""
        [error] = await self.publish_many([(exchange, message, routing_key)])
        if error is not None:
            raise error

    async def publish_many(
        self, messages: Sequence[tuple[str, aio_pika.Message, str]]
    ) -> list[BaseException | None]:
        """``(exchange, message, routing key)`` sent in order on one channel, each awaiting
        its own confirm; one outcome each. After a nack or a missing confirm, the next
        publishes go on a new channel (not the rest of these: they stay on one)."""
        channel = self._channel
        if channel is None:
            raise RuntimeError("the publishing channel is not open")
        outcomes = await asyncio.gather(
            *(self._send(channel, *m) for m in messages), return_exceptions=True
        )
        errors = [o if isinstance(o, BaseException) else None for o in outcomes]
        suspect = next((e for e in errors if _channel_suspect(e)), None)
        if suspect is not None:
            await self._replace(channel, suspect)
        return errors

    async def _send(
        self,
        channel: aio_pika.abc.AbstractChannel,
        exchange: str,
        message: aio_pika.Message,
        routing_key: str,
    ) -> None:
        async with asyncio.timeout(self._timeout_s):
            target = await self._exchange(channel, exchange)
            await target.publish(message, routing_key=routing_key, mandatory=True)

    async def _replace(self, stale: aio_pika.abc.AbstractChannel, reason: BaseException) -> None:
        """A new channel instead of ``stale``, unless another publish replaced it already;
        the old one is closed (its publishes in flight fail and are tried again)."""
        async with self._replacing:
            if self._channel is not stale or not self.connected:
                return
            try:
                await self._open_channel()
            except Exception as exc:  # the next suspect publish tries again
                log.warning("messaging.publisher_channel_not_replaced", error=repr(exc)[:300])
                return
            log.warning("messaging.publisher_channel_replaced", reason=repr(reason)[:300])
            with contextlib.suppress(Exception):
                await asyncio.wait_for(stale.close(), self._timeout_s)


class EventPublisher:
    """The outbox relay's publisher: persistent, mandatory and confirmed messages.

    It has a robust connection of its own: RabbitMQ's flow control on a publishing
    connection then never slows the consumers, and the relay's hot path is bare aio-pika.
    Its ``ConfirmingChannel`` bounds every confirm and replaces a channel that nacks.
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
        heartbeat_s: int = BROKER_HEARTBEAT_S,
        connect: Connect | None = None,
    ) -> None:
        """``connect``: opens the robust connection (``connect_robust``; tests give a fake)."""
        self._amqp_url = amqp_url
        self._connect = connect or connect_robust
        self._exchange_name = exchange
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: ConfirmingChannel | None = None
        self._on_reconnect = on_reconnect
        self._on_lost = on_lost
        self._reconnect_interval_s = reconnect_interval_s
        self._timeout_s = timeout_s
        self._heartbeat_s = heartbeat_s

    @property
    def connected(self) -> bool:
        """False from the loss of the connection until it and its channel are restored."""
        return self._channel is not None and self._channel.connected

    async def start(self) -> None:
        self._connection = await self._connect(
            self._amqp_url,
            reconnect_interval=self._reconnect_interval_s,
            attempt_timeout_s=self._timeout_s,
            heartbeat_s=self._heartbeat_s,
        )
        channel = ConfirmingChannel(
            self._connection,
            timeout_s=self._timeout_s,
            on_lost=self._on_lost,
            on_restored=self._on_reconnect,
        )
        await channel.open()
        self._channel = channel

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = None

    async def publish_batch(
        self, messages: Sequence[OutgoingMessage]
    ) -> list[BaseException | None]:
        """Sent in order on one channel, each awaiting its own confirm; one outcome each.
        After a nack or a missing confirm, the next batch goes on a new channel."""
        if self._channel is None:  # stopped: each event waits in the outbox
            return [RuntimeError("the event publisher is not started") for _ in messages]
        return await self._channel.publish_many(
            [(self._exchange_name, _event_message(m), m.routing_key) for m in messages]
        )


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
