"""A producer and a consumer service built on the runtime, on the real broker and database."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, ClassVar
from uuid import UUID, uuid4

import aio_pika
import httpx
import pytest
from fastapi import APIRouter, FastAPI
from opentelemetry import trace
from opentelemetry.trace import SpanContext, TracerProvider
from pydantic import BaseModel, Field

from deformations_common import migrations
from deformations_common.consumer import EventContext, EventHandlers, RejectEvent
from deformations_common.db import Connection
from deformations_common.service import Runtime, RuntimeDep, ServiceDefinition, create_app
from deformations_common.settings import ServiceSettings
from deformations_contracts.base import EventData
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    isolated_settings,
    running,
    tap,
)

REJECTED_N = 99_999


class Pinged(EventData):
    """A test event."""

    routing_key: ClassVar[str] = "test.pinged.v1"
    producer: ClassVar[str] = "pinger"
    # A second declared producer: the same id from it is another event (inbox per source).
    other_producers: ClassVar[tuple[str, ...]] = ("another-pinger",)

    ping_id: UUID
    n: int = Field(ge=0)

    def subject(self) -> str:
        return str(self.ping_id)


class Ponged(EventData):
    """A test event: the consumer's follow-up of a ping."""

    routing_key: ClassVar[str] = "test.ponged.v1"
    producer: ClassVar[str] = "ponger"

    ping_id: UUID

    def subject(self) -> str:
        return str(self.ping_id)


class PingRequest(BaseModel):
    n: int = Field(ge=0)


pings = APIRouter()


@pings.post("/pings", status_code=201)
async def post_ping(request: PingRequest, runtime: RuntimeDep) -> dict[str, str]:
    """The producer's HTTP command: a ping recorded in the outbox of the request's
    transaction; answers its ce-id."""
    async with runtime.transaction() as conn:
        event_id = await runtime.emit(conn, Pinged(ping_id=uuid4(), n=request.n))
    return {"event_id": str(event_id)}


@dataclass
class Behaviour:
    """How the consumer misbehaves, per ping: fail the first k times, or reject."""

    failures_left: dict[UUID, int] = field(default_factory=dict)
    calls: list[UUID] = field(default_factory=list)
    # While set and not released, every handler call waits for it (holding its slot).
    hold: asyncio.Event | None = None
    # Every event but n=0 also counts itself in a row that all of them update.
    shared_row: bool = False
    # Every handled ping is followed by a ``Ponged`` event.
    follow_up: bool = False
    # The span current in the handler, per ping (its last call).
    spans: dict[UUID, SpanContext] = field(default_factory=dict)


def consumer_handlers(behaviour: Behaviour, *, batchable: bool = False) -> EventHandlers:
    handlers = EventHandlers("ponger")

    @handlers.on(Pinged, batchable=batchable)
    async def on_pinged(event: Pinged, ctx: EventContext, conn: Connection) -> None:
        behaviour.calls.append(event.ping_id)
        behaviour.spans[event.ping_id] = trace.get_current_span().get_span_context()
        if behaviour.hold is not None:
            await behaviour.hold.wait()
        if event.n == REJECTED_N:
            raise RejectEvent(f"{REJECTED_N} is never accepted")
        left = behaviour.failures_left.get(event.ping_id, 0)
        if left > 0:
            behaviour.failures_left[event.ping_id] = left - 1
            raise ConnectionError("transient failure (test)")
        if behaviour.shared_row and event.n > 0:
            await conn.execute("UPDATE shared SET n = n + 1 WHERE name = 'all'")
        await conn.execute(
            "INSERT INTO effects (ping_id, n, source, ce_id) VALUES ($1, $2, $3, $4)",
            event.ping_id,
            event.n,
            ctx.attributes.source,
            str(ctx.attributes.id),
        )
        if behaviour.follow_up:
            await ctx.emit(conn, Ponged(ping_id=event.ping_id))

    return handlers


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime


@dataclass
class Harness:
    infra: Infra
    database_url: str
    namespace: str
    stack: AsyncExitStack
    behaviour: Behaviour = field(default_factory=Behaviour)
    started: list[Service] = field(default_factory=list)

    def settings(self, service_name: str, **overrides: Any) -> ServiceSettings:
        return isolated_settings(
            ServiceSettings,
            self.infra,
            self.database_url,
            self.namespace,
            service_name,
            **overrides,
        )

    async def start_producer(
        self, *, tracer_provider: TracerProvider | None = None, **overrides: Any
    ) -> Service:
        settings = self.settings("pinger", **overrides)
        definition = ServiceDefinition(
            settings=settings,
            title="pinger",
            produces=[Pinged],
            routers=[pings],
            tracer_provider=tracer_provider,
        )
        return await self._start(definition)

    async def start_consumer(
        self,
        *,
        batchable: bool = False,
        tracer_provider: TracerProvider | None = None,
        **overrides: Any,
    ) -> Service:
        settings = self.settings("ponger", **overrides)
        await migrations.migrate(settings.database_url, settings.schema_name, None)
        conn = await pg_connect(settings.database_url)
        try:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS ponger.effects (
                       ping_id uuid NOT NULL, n int NOT NULL, source text, ce_id text);
                   CREATE TABLE IF NOT EXISTS ponger.shared (name text PRIMARY KEY, n int);
                   INSERT INTO ponger.shared VALUES ('all', 0) ON CONFLICT DO NOTHING"""
            )
        finally:
            await conn.close()
        definition = ServiceDefinition(
            settings=settings,
            title="ponger",
            handlers=consumer_handlers(self.behaviour, batchable=batchable),
            produces=[Ponged],
            tracer_provider=tracer_provider,
        )
        return await self._start(definition)

    async def _start(self, definition: ServiceDefinition) -> Service:
        app = create_app(definition)
        client = await self.stack.enter_async_context(running(app))
        service = Service(app, client, definition.settings)
        self.started.append(service)
        return service

    async def effects(self) -> list[tuple[UUID, int]]:
        conn = await pg_connect(self.database_url)
        try:
            rows = await conn.fetch("SELECT ping_id, n FROM ponger.effects ORDER BY n")
        finally:
            await conn.close()
        return [(r["ping_id"], r["n"]) for r in rows]

    async def publish_raw(
        self,
        body: bytes,
        headers: dict[str, Any],
        routing_key: str = "test.pinged.v1",
        content_type: str = "application/json",
    ) -> None:
        connection = await aio_pika.connect(self.infra.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(f"deformations.events.{self.namespace}")
            await exchange.publish(
                aio_pika.Message(
                    body,
                    headers=headers,
                    content_type=content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=routing_key,
            )
        finally:
            await connection.close()

    async def tap(self, routing_key: str) -> aio_pika.abc.AbstractQueue:
        """A throw-away queue that receives every event published with ``routing_key``
        (the exchange exists once a service started)."""
        exchange = f"deformations.events.{self.namespace}"
        return await tap(self.stack, self.infra.amqp_url, exchange, routing_key)

    async def ready(self, queue: str) -> int:
        """Messages in ``queue`` not yet delivered to a consumer."""
        connection = await aio_pika.connect(self.infra.amqp_url)
        try:
            declared = await (await connection.channel()).get_queue(queue)
            assert declared.declaration_result.message_count is not None
            return declared.declaration_result.message_count
        finally:
            await connection.close()

    async def drain(self, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
        """Every message currently in ``queue`` (acked, so removed)."""
        connection = await aio_pika.connect(self.infra.amqp_url)
        taken = []
        try:
            channel = await connection.channel()
            q = await channel.get_queue(queue)
            while (message := await q.get(fail=False)) is not None:
                await message.ack()
                taken.append(message)
        finally:
            await connection.close()
        return taken


async def pg_connect(url: str) -> Any:
    import asyncpg

    return await asyncpg.connect(url)


def ping(n: int) -> Pinged:
    return Pinged(ping_id=uuid4(), n=n)


def standard_headers(event_type: str = "fr.deformations.test.pinged.v1") -> dict[str, Any]:
    return {
        "ce-id": str(uuid4()),
        "ce-source": "pinger",
        "ce-type": event_type,
        "ce-specversion": "1.0",
        "ce-time": "2026-11-26T10:00:00Z",
    }


@pytest.fixture
async def harness(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Harness]:
    async with AsyncExitStack() as stack:
        h = Harness(infra, database_url, namespace, stack)
        yield h
    for service in h.started:
        handlers = service.app.state.definition.handlers
        await delete_broker_objects(
            infra.amqp_url, service.settings, handlers.subscriptions if handlers else []
        )
