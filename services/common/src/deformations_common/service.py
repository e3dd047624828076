"""Assembly of a service: one process with its FastAPI HTTP API and FastStream consumers.

The lifespan migrates the schema, opens the pool, declares the topology, starts the
consumers and the outbox relay; nothing connects at import time.
"""

import asyncio
import contextlib
import functools
import gc
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import aio_pika
import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.rabbit import RabbitBroker
from faststream.specification import AsyncAPI
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from deformations_common import db, dead_letters_api, metrics, migrations, outbox, tracing
from deformations_common.auth import TokenVerifier, bearer_person
from deformations_common.consumer import EventHandlers, MessageProcessor
from deformations_common.db import Connection, Pool
from deformations_common.erasure import ErasedPeopleRepository, prune_tombstones
from deformations_common.errors import install_problem_handlers, problem_response
from deformations_common.limits import (
    BodyLimit,
    BodyTooLarge,
    RateLimit,
    RateLimits,
    too_large_problem,
)
from deformations_common.logging import configure_logging, get_logger
from deformations_common.messaging import EventPublisher, create_broker, declare_topology
from deformations_common.problem_openapi import document_problems
from deformations_common.queue_metrics import QueueMonitor
from deformations_common.settings import Environment, ServiceSettings
from deformations_common.supervision import TaskState, supervise
from deformations_common.topology import Topology
from deformations_common.unit_of_work import U
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_contracts.base import EventData

log = get_logger()

# What a broker that cannot be reached raises at connection.
BROKER_UNREACHABLE: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    aio_pika.exceptions.AMQPConnectionError,
)

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
    # Rate limits of the service's anonymous endpoints (per route, per person when the
    # request has a valid bearer token, else per client address):
    # e.g. ``RateLimit("/c/{token}", per_minute=10)``. Scaled or turned off by settings.
    rate_limits: Sequence[RateLimit] = ()


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
    # Every background task by name, as /readyz shows it.
    task_states: dict[str, TaskState] = field(default_factory=dict)
    # Where work that met a database outage waits for its end (see db.DatabaseGate).
    gate: db.DatabaseGate | None = None

    def start_task(
        self, name: str, run: Callable[[], Coroutine[Any, Any, None]], **pauses: float
    ) -> None:
        """Run ``run()`` in the background under supervision: restarted when it fails
        (``pauses``: ``first_pause_s``, ``max_pause_s`` of ``supervise``)."""
        state = self.task_states[name] = TaskState(name)
        task = supervise(self.settings.service_name, state, run, **pauses)
        self.tasks.append(asyncio.create_task(task, name=name))

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

    async def is_erased(self, person_id: str) -> bool:
        """Whether the service erased this person (its tombstone); False before it starts."""
        if self._pool is None:
            return False
        async with self.pool.acquire() as conn:
            return await ErasedPeopleRepository(conn).is_erased(person_id)

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


# How long each step of a service's stop may take before it is forced.
STOP_STEP_S = 15.0


async def _bounded(what: str, step: Awaitable[object]) -> bool:
    """Await one step of the stop for at most ``STOP_STEP_S``; whether it finished."""
    try:
        await asyncio.wait_for(step, timeout=STOP_STEP_S)
    except TimeoutError:
        log.warning("service.stop_step_timed_out", step=what, timeout_s=STOP_STEP_S)
        return False
    except Exception as exc:  # the process is stopping: say it, go on with the rest
        log.warning("service.stop_step_failed", step=what, error=repr(exc)[:300])
    return True


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
            acquire_timeout_s=settings.db_acquire_timeout_s,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            connect_timeout_s=settings.db_connect_timeout_s,
        )
        runtime.gate = processor.gate
        broker_up = metrics.DEPENDENCY_UP.labels(settings.service_name, "broker")

        async def start_messaging() -> None:
            """Topology, consumers, the relay's publisher and the relay itself."""
            publisher: EventPublisher | None = None
            try:
                await broker.connect()
                await declare_topology(broker, topology, handlers.subscriptions)
                connection = broker._connection
                if connection is None:
                    raise RuntimeError("the broker has no connection after connecting")
                # Before the consumers start: a failing message's retry needs it.
                await processor.open_publishing(connection)
                await broker.start()
                relay: outbox.OutboxRelay | None = None

                def broker_back() -> None:
                    broker_up.set(1)
                    if relay is not None:
                        relay.wake(unpark=True)

                publisher = EventPublisher(
                    settings.amqp_url,
                    settings.events_exchange,
                    on_reconnect=broker_back,
                    on_lost=lambda: broker_up.set(0),
                    timeout_s=settings.broker_timeout_s,
                    heartbeat_s=settings.broker_heartbeat_s,
                )
                await publisher.start()
            except BaseException:
                # Whatever was opened is closed: the next try starts from scratch.
                if publisher is not None:
                    with contextlib.suppress(Exception):
                        await publisher.stop()
                with contextlib.suppress(Exception):
                    await processor.close_publishing()
                with contextlib.suppress(Exception):
                    await broker.stop()
                raise
            broker_up.set(1)
            runtime.publisher = publisher
            runtime.relay = relay = outbox.OutboxRelay(
                runtime.pool,
                publisher.publish_batch,
                database_url=settings.database_url,
                schema=settings.schema_name,
                batch_size=settings.outbox_batch_size,
                poll_interval_s=settings.outbox_poll_interval_s,
                workers=settings.outbox_relay_workers,
                connected=lambda: publisher.connected,
            )
            runtime.start_task("outbox-relay", relay.run)
            # Outbox age and the depth of the service's queues and DLQs, for /metrics.
            monitor = QueueMonitor(settings, handlers.subscriptions, lambda: runtime.pool)
            runtime.start_task("queue-metrics", monitor.run)

        try:
            try:
                await start_messaging()
            except BROKER_UNREACHABLE as exc:
                # HTTP serves without the broker (events wait in the outbox); consumers
                # and the relay start once it answers, tried again in the background.
                broker_up.set(0)
                log.warning(
                    "service.broker_unavailable_at_start",
                    service=settings.service_name,
                    error=repr(exc)[:300],
                )
                runtime.start_task("broker-connect", start_messaging, max_pause_s=5.0)
            for job in definition.background:
                runtime.start_task(job.__name__, functools.partial(job, runtime))
            runtime.start_task(
                "tombstone-pruning",
                functools.partial(
                    prune_tombstones,
                    runtime.transaction,
                    runtime.clock,
                    settings.erased_people_retention_days,
                    settings.tombstone_prune_interval_s,
                ),
            )
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
            # Every step of the stop is bounded: a stuck task, broker or borrowed
            # connection must not keep the process (or a test) from ending. What times
            # out is logged, then forced.
            for task in runtime.tasks:
                task.cancel()
            if runtime.tasks:
                ended, stuck = await asyncio.wait(runtime.tasks, timeout=STOP_STEP_S)
                for task in ended:  # their errors were logged by their supervisor
                    if not task.cancelled():
                        task.exception()
                if stuck:
                    log.warning("service.tasks_not_stopped", tasks=[t.get_name() for t in stuck])
            runtime.tasks.clear()
            processor.gate.stop()
            if runtime.publisher is not None:
                await _bounded("publisher", runtime.publisher.stop())
            await _bounded("broker", broker.stop())
            # After the consumers: a message still settling publishes its retry on it.
            await _bounded("consumer publishing channel", processor.close_publishing())
            if not await _bounded("pool", runtime.pool.close()):
                runtime.pool.terminate()
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
    app.state.token_verifier = verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    document_problems(app)
    _install_outage_handlers(app, runtime)
    _install_unstorable_text_handler(app)

    async def on_too_large(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BodyTooLarge)
        return problem_response(413, too_large_problem(exc.limit, request.url.path))

    app.add_exception_handler(BodyTooLarge, on_too_large)
    if definition.rate_limits and settings.rate_limits_enabled:
        app.add_middleware(
            RateLimits,
            limits=definition.rate_limits,
            multiplier=settings.rate_limit_multiplier,
            identify=functools.partial(bearer_person, verifier),
        )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # Added last, so outermost: every middleware and route sees the real client address,
    # read from X-Forwarded-For only when the peer is a trusted proxy.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    if tracer_provider is not None:
        tracing.instrument_http(app, tracer_provider)
    app.include_router(_operations_router(definition, runtime))
    app.include_router(dead_letters_api.router(settings, handlers.subscriptions))
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
        """Ready when the database answers: requests need it. The broker is shown but
        does not count: while it is away, events wait in the outbox and HTTP serves on.
        Background tasks are shown with their state and restarts."""
        service = runtime.settings.service_name
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(runtime.pool.fetchval("SELECT 1"), timeout=2)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
            if runtime.gate is not None and db.is_unavailable(exc):
                runtime.gate.kick()
        try:
            ok = await runtime.broker.ping(timeout=2)
            checks["broker"] = "ok" if ok else "unavailable"
        except Exception as exc:
            checks["broker"] = f"unavailable: {type(exc).__name__}"
        for dependency in ("database", "broker"):
            up = 1 if checks[dependency] == "ok" else 0
            metrics.DEPENDENCY_UP.labels(service, dependency).set(up)
        if runtime.publisher is not None and not runtime.publisher.connected:
            checks["event_publisher"] = "reconnecting: events wait in the outbox"
        tasks = {name: state.as_dict() for name, state in runtime.task_states.items()}
        ready = checks["database"] == "ok"
        degraded = checks["broker"] != "ok" or any(
            state.state in ("starting", "restarting", "stopped")
            for state in runtime.task_states.values()
        )
        return JSONResponse(
            {"ready": ready, "degraded": degraded, "checks": checks, "tasks": tasks},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics")
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/asyncapi.json")
    async def asyncapi() -> dict[str, Any]:
        return asyncapi_document(definition, runtime.broker)

    return router


# What a request says while the database is away: come back in a few seconds.
DATABASE_RETRY_AFTER_S = 5


def _install_outage_handlers(app: FastAPI, runtime: Runtime[Any]) -> None:
    """A request that meets a database outage answers 503 with Retry-After, as problem
    details in French, instead of a 500. The pool then drops its connections, all dead if
    the server restarted, so the requests after the outage get fresh ones."""

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        if not db.is_unavailable(exc):
            raise exc
        log.warning("service.database_unavailable", path=request.url.path, error=repr(exc)[:300])
        if runtime._pool is not None:
            await runtime._pool.expire_connections()
        if runtime.gate is not None:
            runtime.gate.kick()
        body = {
            "type": "https://deformations.fr/problems/database-unavailable",
            "title": "Service momentanément indisponible",
            "status": 503,
            "detail": (
                "La base de données ne répond pas pour le moment ; rien n'a été enregistré. "
                f"Réessayez dans {DATABASE_RETRY_AFTER_S} secondes."
            ),
            "code": "database_unavailable",
            "instance": request.url.path,
            "retry_after_s": DATABASE_RETRY_AFTER_S,
        }
        return problem_response(503, body)

    for kind in db.UNAVAILABLE_ERRORS:
        app.add_exception_handler(kind, on_database_error)
    app.add_exception_handler(asyncpg.InterfaceError, on_database_error)


# What PostgreSQL refuses to store in text or jsonb: the NUL character (U+0000).
UNSTORABLE_TEXT_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.CharacterNotInRepertoireError,
    asyncpg.UntranslatableCharacterError,
)


def _install_unstorable_text_handler(app: FastAPI) -> None:
    """Text that PostgreSQL cannot store is bad input, not a failure of the service: a 422
    in French. The transaction it met was rolled back, so nothing changed. One handler
    for every service rather than a check on every text field of every body."""

    async def on_unstorable_text(request: Request, exc: Exception) -> JSONResponse:
        log.info("service.unstorable_text", path=request.url.path, error=repr(exc)[:300])
        body = {
            "type": "https://deformations.fr/problems/unstorable-text",
            "title": "Contenu non traitable",
            "status": 422,
            "detail": (
                "Le texte envoyé contient un caractère qui ne peut pas être enregistré "
                "(caractère nul, U+0000) ; rien n'a été enregistré. Retirez-le et réessayez."
            ),
            "code": "unstorable_text",
            "instance": request.url.path,
        }
        return problem_response(422, body)

    for kind in UNSTORABLE_TEXT_ERRORS:
        app.add_exception_handler(kind, on_unstorable_text)
