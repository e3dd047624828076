"""Assembly of a service: one process with its FastAPI HTTP API and FastStream consumers.

The lifespan migrates the schema, opens the pool, declares the topology, starts the
consumers and the outbox relay; nothing connects at import time.
"""

import asyncio
import contextlib
import gc
import json
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.rabbit import RabbitBroker
from faststream.specification import AsyncAPI
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from deformations_common import db, migrations, outbox, tracing
from deformations_common.auth import TokenVerifier
from deformations_common.consumer import EventHandlers, MessageProcessor
from deformations_common.db import Connection, Pool
from deformations_common.errors import install_problem_handlers
from deformations_common.logging import configure_logging, get_logger
from deformations_common.messaging import EventPublisher, create_broker, declare_topology
from deformations_common.queue_metrics import QueueMonitor
from deformations_common.settings import Environment, ServiceSettings
from deformations_common.topology import Topology
from deformations_common.unit_of_work import U
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_contracts.base import EventData

log = get_logger()

S = TypeVar("S", bound=ServiceSettings)

BackgroundTask = Callable[["Runtime[Any]"], Coroutine[Any, Any, None]]


@dataclass
class ServiceDefinition(Generic[S]):
    settings: S
    title: str
    description: str = ""
    migrations_package: str | None = None
    handlers: EventHandlers | None = None
    routers: Sequence[APIRouter] = ()
    produces: Sequence[type[EventData]] = ()
    # Long-running jobs of the service (schedulers…), started after the consumers.
    background: Sequence[BackgroundTask] = ()
    configure_app: Callable[[FastAPI], None] | None = None
    version: str = "0.1.0"
    # Where the service's spans go; None: the provider configured from the OTEL_*
    # environment, if any (see tracing.configure). Tests give one of their own.
    tracer_provider: TracerProvider | None = None
    # The time every unit of work reads; tests give a ManualClock, a deployed service
    # always runs on the system clock (nothing in its configuration can change it).
    clock: Clock = system_clock


@dataclass
class Runtime(Generic[S]):
    """What requests, consumers and jobs of a running service share."""

    settings: S
    broker: RabbitBroker
    topology: Topology
    clock: Clock = system_clock
    _pool: "Pool | None" = None
    relay: outbox.OutboxRelay | None = None
    publisher: EventPublisher | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            raise RuntimeError("the service is not started: no database pool yet")
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """One unit of work: everything in it, events included, commits or nothing does."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def begin(self, kind: type[U], *, clock: Clock | None = None) -> AsyncIterator[U]:
        """A unit of work of the service's own kind, over a new transaction."""
        async with self.transaction() as conn:
            yield kind(conn, self.settings, clock or self.clock, self._record)

    async def _record(self, conn: Connection, events: Sequence[EventData]) -> list[UUID]:
        if len(events) == 1:
            return [await self.emit(conn, events[0])]
        return await self.emit_many(conn, events)

    async def emit(
        self,
        conn: Connection,
        event: EventData,
        *,
        correlationid: str | None = None,
        causationid: str | None = None,
    ) -> UUID:
        return await outbox.enqueue(
            conn,
            event,
            source=self.settings.service_name,
            schema=self.settings.schema_name,
            correlationid=correlationid,
            causationid=causationid,
        )

    async def emit_many(self, conn: Connection, events: Sequence[EventData]) -> list[UUID]:
        """Many events of one unit of work, recorded in one statement."""
        return await outbox.enqueue_many(
            conn, events, source=self.settings.service_name, schema=self.settings.schema_name
        )


def get_runtime(request: Request) -> Runtime[Any]:
    runtime: Runtime[Any] = request.app.state.runtime
    return runtime


# A service names its own typed alias: ``Annotated[Runtime[Settings], Depends(get_runtime)]``.
RuntimeDep = Annotated[Runtime[Any], Depends(get_runtime)]


def asyncapi_document(definition: ServiceDefinition[Any], broker: RabbitBroker) -> dict[str, Any]:
    spec = AsyncAPI(
        broker,
        title=f"deformations {definition.settings.service_name}",
        version=definition.version,
        description=definition.description or definition.title,
    )
    document: dict[str, Any] = json.loads(spec.to_specification().to_json())
    return document


def create_app(definition: ServiceDefinition[S]) -> FastAPI:
    settings = definition.settings
    topology = Topology(settings)
    broker = create_broker(settings)
    runtime = Runtime(settings=settings, broker=broker, topology=topology, clock=definition.clock)
    handlers = definition.handlers or EventHandlers(settings.service_name)
    tracer_provider = definition.tracer_provider or tracing.configure(settings.service_name)
    processor = MessageProcessor(
        settings,
        broker,
        topology,
        lambda: runtime.pool,
        clock=definition.clock,
        tracer=None if tracer_provider is None else tracing.tracer(tracer_provider),
    )
    processor.register(handlers)
    for model in definition.produces:
        # Declared for the AsyncAPI document; events are published by the outbox relay.
        broker.publisher(
            exchange=topology.events,
            routing_key=model.routing_key,
            schema=model,
            title=f"{settings.events_exchange}:{model.routing_key}",
            description=model.__doc__,
            persist=True,
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, json=settings.log_json)
        await migrations.migrate(
            settings.database_url, settings.schema_name, definition.migrations_package
        )
        runtime._pool = await db.create_pool(
            settings.database_url,
            settings.schema_name,
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
        )
        try:
            await broker.connect()
            await declare_topology(broker, topology, handlers.subscriptions)
            await broker.start()
            publisher = EventPublisher(settings.amqp_url, settings.events_exchange)
            await publisher.start()
            runtime.publisher = publisher
            runtime.relay = outbox.OutboxRelay(
                runtime.pool,
                publisher.publish_batch,
                database_url=settings.database_url,
                schema=settings.schema_name,
                batch_size=settings.outbox_batch_size,
                poll_interval_s=settings.outbox_poll_interval_s,
                workers=settings.outbox_relay_workers,
            )
            runtime.tasks.append(asyncio.create_task(runtime.relay.run(), name="outbox-relay"))
            monitor = QueueMonitor(settings, handlers.subscriptions, lambda: runtime.pool)
            runtime.tasks.append(asyncio.create_task(monitor.run(), name="queue-metrics"))
            for job in definition.background:
                runtime.tasks.append(asyncio.create_task(job(runtime), name=job.__name__))
            if settings.environment is not Environment.TEST:
                # What start-up loaded (code, geography, catalogues) lives as long as the
                # process: frozen out of the collector's reach, it no longer makes every
                # full collection walk it, a pause of tens of milliseconds in the event
                # path. (Not in tests: many services start in one process there, and
                # freezing would pin every earlier test's objects.)
                gc.collect()
                gc.freeze()
            log.info(
                "service.service_started",
                service=settings.service_name,
                tracing=tracer_provider is not None,
            )
            yield
        finally:
            for task in runtime.tasks:
                task.cancel()
            for task in runtime.tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            runtime.tasks.clear()
            if runtime.publisher is not None:
                await runtime.publisher.stop()
            await broker.stop()
            await runtime.pool.close()
            runtime._pool = None
            if tracer_provider is not None:
                await asyncio.to_thread(tracing.flush, tracer_provider)
            log.info("service.service_stopped", service=settings.service_name)

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.definition = definition
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    if tracer_provider is not None:
        tracing.instrument_http(app, tracer_provider)
    app.include_router(_operations_router(definition, runtime))
    for router in definition.routers:
        app.include_router(router)
    if definition.configure_app is not None:
        definition.configure_app(app)
    return app


def _operations_router(definition: ServiceDefinition[Any], runtime: Runtime[Any]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.settings.service_name}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(runtime.pool.fetchval("SELECT 1"), timeout=2)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        try:
            ok = await runtime.broker.ping(timeout=2)
            checks["broker"] = "ok" if ok else "unavailable"
        except Exception as exc:
            checks["broker"] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/asyncapi.json")
    async def asyncapi() -> dict[str, Any]:
        return asyncapi_document(definition, runtime.broker)

    return router
