"""Subscriptions: decode → validate → inbox + effect in one transaction → ack.

A handler declared ``batchable`` may share its transaction with other events of its
queue: under load, the events waiting for a transaction are claimed in the inbox and
handled together, then committed once (see ``_Batches``). Each event's effect still
commits with its own inbox row, never partly. If any of them fails, the transaction is
rolled back and each event of the batch is handled alone, so one bad event only ever
fails itself.

Outcomes of a message:
- handled (or already handled: inbox hit) → committed, then acked;
- invalid (malformed, unknown type, schema-invalid, or a handler's ``RejectEvent``) →
  published to the dead-letter exchange with the reason in headers, then acked;
- from a source that is not a declared producer of its type (``producers``) → dead-
  lettered with the kind ``unauthorized-producer``, never handled, then acked;
- the database cannot be reached (refused, reset, shutting down, no pooled connection
  in time) → not an attempt: the message is held while one probe waits for the
  database, then handled again; a message held past ``consumer_outage_hold_s`` is parked
  in the first retry queue with its attempt count unchanged ("deferred"). Holding every
  prefetched message is what stops the consumer from taking more during an outage;
- failed otherwise (a handler's own failure) → parked in a retry queue with its attempt
  count, then acked; after ``max_attempts`` it goes to the DLQ instead;
- the process dies or the channel closes mid-way → not acked: RabbitMQ redelivers, and
  the queue's delivery limit dead-letters a message that keeps killing consumers.
"""

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import aio_pika
from faststream import StreamMessage
from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage
from opentelemetry import trace
from opentelemetry.trace import Span, Tracer

from deformations_common import db, inbox, metrics, outbox, tracing
from deformations_common.codec import InvalidEvent, decode, validate_data
from deformations_common.db import Connection, Pool
from deformations_common.logging import get_logger
from deformations_common.messaging import ConfirmingChannel
from deformations_common.producers import UNAUTHORIZED_PRODUCER, producers_of
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Subscription, Topology
from deformations_common.unit_of_work import U
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_contracts.base import EventData
from deformations_contracts.cloudevents import CloudEventAttributes

E = TypeVar("E", bound=EventData)
S = TypeVar("S", bound=ServiceSettings)
ATTEMPT_HEADER = "x-deformations-attempt"
REASON_HEADER = "x-deformations-error-reason"
KIND_HEADER = "x-deformations-error-kind"
QUEUE_HEADER = "x-deformations-error-queue"
FAILED_AT_HEADER = "x-deformations-failed-at"

log = get_logger()


class RejectEvent(Exception):
    """Raised by a handler for an event it can never accept: it goes to the DLQ."""


@dataclass(frozen=True)
class EventContext(Generic[S]):
    """What a handler knows of the event besides its data, and how it emits follow-ups."""

    attributes: CloudEventAttributes
    settings: S
    # The CONSUMER span of this event's handling; None when tracing is off.
    span: Span | None = None
    clock: Clock = system_clock

    def unit_of_work(self, kind: type[U], conn: Connection) -> U:
        """The handler's transaction as a unit of work; its events follow this one."""
        return kind(conn, self.settings, self.clock, self._record)

    async def _record(self, conn: Connection, events: Any) -> list[UUID]:
        return [await self.emit(conn, event) for event in events]

    async def emit(self, conn: Connection, event: EventData) -> UUID:
        """Record a follow-up event in the handler's transaction, with the causal chain.

        Its traceparent names this event's span as parent; without tracing, the event's
        own traceparent is passed on, so a trace goes on through an untraced service."""
        return await outbox.enqueue(
            conn,
            event,
            source=self.settings.service_name,
            schema=self.settings.schema_name,
            correlationid=self.attributes.correlationid or str(self.attributes.id),
            causationid=str(self.attributes.id),
            traceparent=(
                self.attributes.traceparent
                if self.span is None
                else tracing.traceparent_of(self.span)
            ),
        )


Handler = Callable[[E, EventContext[Any], Connection], Awaitable[None]]


@dataclass(frozen=True)
class Registration(Generic[E]):
    model: type[E]
    handler: Handler[E]
    batchable: bool = False


@dataclass
class EventHandlers:
    """The events a service reads, each with its handler: its consumer declaration."""

    service: str
    registrations: dict[str, Registration[Any]] = field(default_factory=dict)

    def on(self, model: type[E], *, batchable: bool = False) -> Callable[[Handler[E]], Handler[E]]:
        """Register the handler of ``model``.

        ``batchable``: the handler may run in a transaction shared with other events of
        the same queue, one after the other. Declare it only for a handler that keeps
        nothing outside the database and whose decisions do not depend on reading
        another event's uncommitted writes as if they were committed.
        """

        def register(handler: Handler[E]) -> Handler[E]:
            if model.routing_key in self.registrations:
                raise ValueError(f"{self.service} already handles {model.routing_key}")
            self.registrations[model.routing_key] = Registration(model, handler, batchable)
            return handler

        return register

    @property
    def subscriptions(self) -> list[Subscription]:
        return [Subscription(self.service, key) for key in self.registrations]

    @property
    def consumed(self) -> list[type[EventData]]:
        return [r.model for r in self.registrations.values()]


async def _call(
    registration: Registration[Any], event: EventData, context: EventContext[Any], conn: Connection
) -> None:
    """Run the handler; with tracing, in its event's span (the task running a shared
    transaction handles other tasks' events: their spans are not its current one)."""
    if context.span is None:
        await registration.handler(event, context, conn)
        return
    with trace.use_span(context.span, record_exception=False, set_status_on_exception=False):
        await registration.handler(event, context, conn)


def _check_producer(model: type[EventData], source: str) -> None:
    """Refuse an event whose ``ce-source`` may not publish its type: a compromised or
    misconfigured service must not speak for another (DESIGN §3's catalogue)."""
    allowed = producers_of(model)
    if source not in allowed:
        raise InvalidEvent(
            UNAUTHORIZED_PRODUCER,
            f"{source!r} may not publish {model.routing_key} (only {', '.join(sorted(allowed))})",
        )


async def _whole_message(message: StreamMessage[Any]) -> StreamMessage[Any]:
    return message


@dataclass(eq=False)
class _Pending:
    """A decoded event waiting for a transaction; its outcome is None when it must be
    handled alone (the batch it was in failed)."""

    event: EventData
    context: EventContext[Any]
    outcome: "asyncio.Future[str | None]"
    taken: bool = False


BatchRunner = Callable[[list[_Pending]], Awaitable[None]]


class _Batches:
    """The events of one subscription waiting for a transaction, taken together.

    At most ``slots`` transactions run at once. Events arriving while every slot is busy
    wait, and the next free slot takes all of them, up to ``max_size``: batches grow
    with the load by themselves (group commit), and an event arriving at a quiet time
    is handled at once, alone. No timer: batching never adds latency.
    """

    def __init__(self, slots: int, max_size: int) -> None:
        self._waiting: deque[_Pending] = deque()
        self._slots = asyncio.Semaphore(slots)
        self._max_size = max_size

    async def submit(self, pending: _Pending, run: BatchRunner) -> str | None:
        self._waiting.append(pending)
        try:
            async with self._slots:
                # The slot may go to a batch of earlier events; go on until ours is taken.
                while not pending.taken:
                    await run(self._take())
        except asyncio.CancelledError:
            if not pending.taken:  # its delivery is given up: it must not be handled
                self._waiting.remove(pending)
            raise
        return await pending.outcome

    def _take(self) -> list[_Pending]:
        batch: list[_Pending] = []
        while self._waiting and len(batch) < self._max_size:
            pending = self._waiting.popleft()
            pending.taken = True
            batch.append(pending)
        return batch


class MessageProcessor:
    def __init__(
        self,
        settings: ServiceSettings,
        broker: RabbitBroker,
        topology: Topology,
        pool_provider: Callable[[], Pool],
        tracer: Tracer | None = None,
        clock: Clock = system_clock,
    ) -> None:
        """``tracer``: each event is handled in a CONSUMER span of its own; None: no span."""
        self._settings = settings
        self._clock = clock
        self._tracer = tracer
        self._broker = broker
        self._topology = topology
        self._pool = pool_provider
        self._publishing: ConfirmingChannel | None = None
        self._batches: dict[Subscription, _Batches] = {}
        self.gate = db.DatabaseGate(pool_provider, settings.service_name)

    async def open_publishing(self, connection: aio_pika.abc.AbstractRobustConnection) -> None:
        """The channel of the retry, deferral and dead-letter publishes, on the broker's
        connection: a channel of their own, replaced when it nacks (``ConfirmingChannel``),
        where FastStream's would keep nacking and every failing message would go back to
        its queue until the delivery limit dead-letters it."""
        await self.close_publishing()
        channel = ConfirmingChannel(connection, timeout_s=self._settings.broker_timeout_s)
        await channel.open()
        self._publishing = channel

    async def close_publishing(self) -> None:
        channel, self._publishing = self._publishing, None
        if channel is not None:
            await channel.close()

    async def _publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        *,
        headers: dict[str, Any],
        content_type: str | None,
        message_id: str | None = None,
    ) -> None:
        """Persistent, mandatory and confirmed, or raises (the delivery is then requeued)."""
        if self._publishing is None:
            raise RuntimeError("the consumer's publishing channel is not open")
        message = aio_pika.Message(
            body,
            headers=headers,
            content_type=content_type,
            message_id=message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            timestamp=datetime.now(UTC),
            app_id=self._settings.service_name,
        )
        await self._publishing.publish(exchange, message, routing_key)

    def register(self, handlers: EventHandlers) -> None:
        for subscription in handlers.subscriptions:
            registration = handlers.registrations[subscription.routing_key]
            if registration.batchable:
                self._batches[subscription] = _Batches(
                    self._settings.consumer_transactions, self._settings.consumer_batch_max
                )
            self._subscribe(subscription, registration)

    def _subscribe(self, subscription: Subscription, registration: Registration[Any]) -> None:
        from faststream import AckPolicy

        async def on_message(message: RabbitMessage) -> None:
            await self.process(subscription, registration, message)

        # FastStream documents a subscriber's payload from its handler's annotations; types
        # are not applied at run time (apply_types=False), so the event model is shown in the
        # AsyncAPI document while the handler still receives the raw message.
        on_message.__annotations__["message"] = registration.model

        self._broker.subscriber(
            self._topology.main_queue(subscription),
            self._topology.events,
            ack_policy=AckPolicy.MANUAL,
            # The runtime reads the raw message itself: FastStream neither parses the body
            # nor injects anything (no dependency solving per message: see create_broker).
            decoder=_whole_message,
            title=self._topology.queue_name(subscription),
            description=f"{registration.model.__doc__ or registration.model.routing_key}",
        )(on_message)

    async def process(
        self,
        subscription: Subscription,
        registration: Registration[Any],
        message: RabbitMessage,
    ) -> None:
        started = time.perf_counter()
        try:
            if self._tracer is None:
                outcome = await self._settle(subscription, registration, message.raw_message)
            else:
                outcome = await self._settle_traced(
                    self._tracer, subscription, registration, message.raw_message
                )
        except Exception as exc:
            # Could not even park or dead-letter it (broker or channel gone): hand it back.
            log.warning("consumer.message_requeued", queue=subscription.name, error=repr(exc))
            with contextlib.suppress(Exception):
                await message.nack(requeue=True)
            return
        await message.ack()
        key = subscription.routing_key
        metrics.EVENTS_CONSUMED.labels(subscription.service, key, outcome).inc()
        metrics.HANDLING_SECONDS.labels(subscription.service, key).observe(
            time.perf_counter() - started
        )

    async def _settle_traced(
        self, tracer: Tracer, subscription: Subscription, registration: Registration[Any], raw: Any
    ) -> str:
        """``_settle`` in the event's CONSUMER span, ended with the outcome."""
        span = tracing.start_process_span(
            tracer,
            exchange=self._topology.events.name,
            routing_key=subscription.routing_key,
            queue=self._topology.queue_name(subscription),
            headers=raw.headers or {},
        )
        with trace.use_span(span, end_on_exit=True):
            outcome = await self._settle(subscription, registration, raw, span)
            tracing.set_outcome(span, outcome)
        return outcome

    async def _settle(
        self,
        subscription: Subscription,
        registration: Registration[Any],
        raw: Any,
        span: Span | None = None,
    ) -> str:
        """Take the message to its outcome; the caller acks only after this returns."""
        headers: dict[str, Any] = dict(raw.headers or {})
        try:
            envelope = decode(headers, raw.content_type, raw.body)
            _check_producer(registration.model, envelope.attributes.source)
            event = validate_data(registration.model, envelope)
        except InvalidEvent as exc:
            tracing.record_failure(span, exc, exc.kind)
            await self._dead_letter(subscription, raw.body, raw.content_type, headers, exc)
            return "unauthorized" if exc.kind == UNAUTHORIZED_PRODUCER else "invalid"
        context = EventContext(envelope.attributes, self._settings, span, self._clock)
        attempt = int(headers.get(ATTEMPT_HEADER, 0) or 0)
        # Retries after a database that answered at once (a dead pooled connection, say):
        # a few are free; past them the failure counts, so a misread error cannot loop.
        free_retries = 3
        while True:
            try:
                return await self._attempt(subscription, registration, event, context)
            except RejectEvent as exc:
                tracing.record_failure(span, exc, "rejected")
                rejected = InvalidEvent("rejected", str(exc))
                await self._dead_letter(subscription, raw.body, raw.content_type, headers, rejected)
                return "rejected"
            except Exception as exc:
                if db.is_unavailable(exc):
                    was_down = await self.gate.wait_until_up(self._settings.consumer_outage_hold_s)
                    if was_down is None:
                        return await self._defer(subscription, raw, headers, exc)
                    if was_down or free_retries > 0:
                        free_retries -= 0 if was_down else 1
                        if span is not None:
                            span.add_event("consumer.database_outage_waited")
                        continue
                tracing.record_failure(span, exc, type(exc).__qualname__)
                return await self._retry_or_give_up(subscription, raw, headers, attempt, exc)

    async def _attempt(
        self,
        subscription: Subscription,
        registration: Registration[Any],
        event: EventData,
        context: EventContext[Any],
    ) -> str:
        batches = self._batches.get(subscription)
        if batches is not None:
            pending = _Pending(event, context, asyncio.get_running_loop().create_future())
            outcome = await batches.submit(
                pending, lambda batch: self._run_batch(subscription, registration, batch)
            )
            if outcome is not None:
                return outcome
        return await self._handle(subscription, registration, event, context)

    async def _defer(
        self, subscription: Subscription, raw: Any, headers: dict[str, Any], exc: Exception
    ) -> str:
        """Park a message held through a long outage, its attempt count unchanged: it
        comes back after the first retry delay, and holds no delivery meanwhile."""
        log.warning(
            "consumer.deferred_for_outage",
            queue=self._topology.queue_name(subscription),
            error=repr(exc)[:300],
        )
        await self._publish(
            self._topology.retry_exchange(subscription.service).name,
            self._topology.retry_queue_name(subscription, 0),
            raw.body,
            headers={**headers, REASON_HEADER: repr(exc)[:500]},
            content_type=raw.content_type,
            message_id=raw.message_id,
        )
        return "deferred"

    async def _handle(
        self,
        subscription: Subscription,
        registration: Registration[Any],
        event: EventData,
        context: EventContext[Any],
    ) -> str:
        attributes = context.attributes
        async with self._pool().acquire() as conn, conn.transaction():
            if not await inbox.claim(
                conn, subscription.name, attributes.source, str(attributes.id)
            ):
                return "duplicate"
            await _call(registration, event, context, conn)
        return "handled"

    async def _run_batch(
        self, subscription: Subscription, registration: Registration[Any], batch: list[_Pending]
    ) -> None:
        """Settle every event of the batch: each outcome is set, or cancelled with it."""
        try:
            if len(batch) == 1:
                only = batch[0]
                try:
                    outcome = await self._handle(
                        subscription, registration, only.event, only.context
                    )
                except Exception as exc:
                    only.outcome.set_exception(exc)
                else:
                    only.outcome.set_result(outcome)
                return
            try:
                outcomes = await self._handle_together(subscription, registration, batch)
            except Exception as exc:
                log.warning(
                    "consumer.batch_split",
                    queue=self._topology.queue_name(subscription),
                    size=len(batch),
                    error=repr(exc)[:300],
                )
                metrics.BATCHES_SPLIT.labels(subscription.service, subscription.routing_key).inc()
                for pending in batch:
                    if pending.context.span is not None:
                        pending.context.span.add_event("consumer.batch_split")
                outcomes = [None] * len(batch)
            metrics.BATCH_SIZE.labels(subscription.service, subscription.routing_key).observe(
                len(batch)
            )
            for pending, result in zip(batch, outcomes, strict=True):
                pending.outcome.set_result(result)
        finally:
            # Interrupted (shutdown): the waiting deliveries stay unacked, to be redelivered.
            for pending in batch:
                if not pending.outcome.done():
                    pending.outcome.cancel()

    async def _handle_together(
        self, subscription: Subscription, registration: Registration[Any], batch: list[_Pending]
    ) -> list[str | None]:
        keys = [(p.context.attributes.source, str(p.context.attributes.id)) for p in batch]
        outcomes: list[str | None] = []
        async with self._pool().acquire() as conn, conn.transaction():
            # Batches of one queue run side by side and may want the same rows in another
            # order: waiting long on a lock, the batch gives up and its events go alone,
            # instead of waiting for the deadlock detector (a second by default).
            await db.set_lock_timeout(conn, self._settings.consumer_batch_lock_timeout_ms)
            fresh = await inbox.claim_many(conn, subscription.name, keys)
            for pending, key in zip(batch, keys, strict=True):
                if key not in fresh:
                    outcomes.append("duplicate")
                    continue
                fresh.discard(key)  # a second copy in the same batch is a duplicate
                await _call(registration, pending.event, pending.context, conn)
                outcomes.append("handled")
        return outcomes

    async def _retry_or_give_up(
        self,
        subscription: Subscription,
        raw: Any,
        headers: dict[str, Any],
        attempt: int,
        exc: Exception,
    ) -> str:
        log.warning(
            "consumer.handling_failed",
            queue=self._topology.queue_name(subscription),
            attempt=attempt + 1,
            error=repr(exc)[:300],
        )
        if attempt + 1 >= self._settings.max_attempts:
            await self._dead_letter(
                subscription,
                raw.body,
                raw.content_type,
                headers,
                InvalidEvent("exhausted", f"failed {attempt + 1} times, last: {exc!r}"[:500]),
            )
            return "exhausted"
        retry_headers = {**headers, ATTEMPT_HEADER: attempt + 1, REASON_HEADER: repr(exc)[:500]}
        await self._publish(
            self._topology.retry_exchange(subscription.service).name,
            self._topology.retry_queue_name(subscription, attempt),
            raw.body,
            headers=retry_headers,
            content_type=raw.content_type,
            message_id=raw.message_id,
        )
        return "retried"

    async def _dead_letter(
        self,
        subscription: Subscription,
        body: bytes,
        content_type: str | None,
        headers: dict[str, Any],
        error: InvalidEvent,
    ) -> None:
        queue = self._topology.queue_name(subscription)
        log.warning(
            "consumer.event_dead_lettered", queue=queue, kind=error.kind, reason=error.reason
        )
        await self._publish(
            self._topology.dead_letters.name,
            queue,
            body,
            headers={
                **headers,
                KIND_HEADER: error.kind,
                REASON_HEADER: error.reason[:1000],
                QUEUE_HEADER: queue,
                FAILED_AT_HEADER: datetime.now(UTC).isoformat(),
            },
            content_type=content_type,
        )
