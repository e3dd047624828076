"""Long fault scenarios, shortened through arguments; the last line is one JSON object.

    scripts/with-services uv run --frozen python bench/faults.py \
        [--outage-s 10] [--events 3000] [--consumer-kills 10] [--relay-kills 3]

A producing service ("faulty") emits events with known ids; a consuming service records
each event it handles as a row of its ``effects`` table (no unique key there, so that a
second effect shows). Every scenario ends with ``lost`` (ids with no effect), ``duplicated``
(effects beyond one per id) and ``dead_lettered`` (messages in the consumer's DLQ); all
must be 0.

- ``database_outage``: the producer answers requests while PostgreSQL is killed and
  restarted: how many answers were 201, 503 and 500, during the outage and after it;
  the ids answered 201 are the ones counted.
- ``broker_outage``: RabbitMQ is killed, events are recorded meanwhile, the node comes
  back: seconds from its return until every event is delivered, with the relay as it is
  and as it was (woken by its back-off timer only, rows parked while the broker was away).
- ``consumer_killed``: the consumer runs in a process of its own, killed with SIGKILL
  while it handles batches, and restarted, ``--consumer-kills`` times.
- ``relay_killed``: the producer runs in a process of its own, killed with SIGKILL while
  its relay publishes a full outbox, and restarted, ``--relay-kills`` times.

Every server is the bench's own (a PostgreSQL server and a RabbitMQ node started here,
removed at the end): the machine's shared ones are never stopped nor used.
"""

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from typing import Any, ClassVar
from uuid import UUID, uuid4

import aio_pika
from fastapi import APIRouter
from pydantic import BaseModel

from deformations_common import migrations, outbox
from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection, Pool, create_pool
from deformations_common.service import RuntimeDep, ServiceDefinition, create_app
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Topology
from deformations_contracts.base import EventData
from deformations_devtools.testing import (
    Infra,
    OwnPostgres,
    OwnRabbitMQ,
    create_database,
    drop_database,
    isolated_settings,
    running,
    wait_until,
)

PRODUCER = "faulty"
SCENARIOS = ["database_outage", "broker_outage", "consumer_killed", "relay_killed"]
CONSUMER = "fault_consumer"


class Benched(EventData):
    """An event of the fault bench."""

    routing_key: ClassVar[str] = "bench.faulted.v1"
    producer: ClassVar[str] = PRODUCER

    item_id: UUID

    def subject(self) -> str:
        return str(self.item_id)


class Empty(BaseModel):
    pass


router = APIRouter()


@router.post("/items", status_code=201)
async def post_item(_: Empty, runtime: RuntimeDep) -> dict[str, str]:
    item_id = uuid4()
    async with runtime.transaction() as conn:
        await runtime.emit(conn, Benched(item_id=item_id))
    return {"item_id": str(item_id)}


def definition(settings: ServiceSettings) -> ServiceDefinition[ServiceSettings]:
    return ServiceDefinition(
        settings=settings, title=PRODUCER, routers=[router], produces=[Benched]
    )


def consumer_handlers() -> EventHandlers:
    handlers = EventHandlers(CONSUMER)

    @handlers.on(Benched, batchable=True)
    async def on_benched(event: Benched, ctx: EventContext[Any], conn: Connection) -> None:
        await conn.execute("INSERT INTO effects (item_id) VALUES ($1)", event.item_id)

    return handlers


def consumer_definition(settings: ServiceSettings) -> ServiceDefinition[ServiceSettings]:
    return ServiceDefinition(settings, "fault consumer", handlers=consumer_handlers())


def serve(kind: str, settings: ServiceSettings, ready: EventType, stop: EventType) -> None:
    """A service in a process of its own, as deployed: what a SIGKILL ends."""

    async def run() -> None:
        build = consumer_definition if kind == "consumer" else definition
        app = create_app(build(settings))
        async with app.router.lifespan_context(app):
            ready.set()
            await asyncio.to_thread(stop.wait)

    asyncio.run(run())


@dataclass
class Setup:
    """A fresh database and namespace on the bench's own servers."""

    infra: Infra
    database_url: str
    producer: ServiceSettings
    consumer: ServiceSettings
    effects: Pool

    async def tally(self, expected: set[UUID]) -> dict[str, int]:
        rows = [r["item_id"] for r in await self.effects.fetch("SELECT item_id FROM effects")]
        seen = set(rows)
        return {
            "events": len(expected),
            "lost": len(expected - seen),
            "duplicated": len(rows) - len(seen),
            "dead_lettered": await self.dead_letters(),
            # Effects of no known id (a request answered 503 whose commit went through).
            "unexpected": len(seen - expected),
        }

    async def dead_letters(self) -> int:
        [subscription] = consumer_handlers().subscriptions
        queue = f"{Topology(self.consumer).queue_name(subscription)}.dlq"
        connection = await aio_pika.connect(self.infra.amqp_url, timeout=10)
        try:
            channel = await connection.channel()
            declared = await channel.declare_queue(queue, passive=True)
            return declared.declaration_result.message_count or 0
        finally:
            await connection.close()

    async def handled(self) -> int:
        count: int = await self.effects.fetchval("SELECT count(DISTINCT item_id) FROM effects")
        return count

    async def wait_handled(self, n: int, timeout_s: float = 120.0) -> None:
        """Until ``n`` distinct effects, or the deadline: what is missing then is lost."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if await self.handled() >= n:
                    return
            except OSError:
                pass  # the database is coming back
            await asyncio.sleep(0.05)


@asynccontextmanager
async def fresh(infra: Infra, **overrides: Any) -> AsyncIterator[Setup]:
    database_url = await create_database(infra.admin_database_url)
    namespace = f"f{uuid4().hex[:10]}"

    def settings(name: str) -> ServiceSettings:
        return isolated_settings(
            ServiceSettings,
            infra,
            database_url,
            namespace,
            name,
            log_level="ERROR",
            **overrides,
        )

    await migrations.migrate(database_url, CONSUMER, None)
    await migrations.migrate(database_url, PRODUCER, None)
    effects = await create_pool(database_url, CONSUMER, min_size=1, max_size=2)
    await effects.execute("CREATE TABLE effects (id bigserial PRIMARY KEY, item_id uuid NOT NULL)")
    try:
        yield Setup(infra, database_url, settings(PRODUCER), settings(CONSUMER), effects)
    finally:
        await effects.close()
        await drop_database(infra.admin_database_url, database_url)


async def fill_outbox(pool: Pool, n: int) -> set[UUID]:
    """``n`` events committed at once into the producer's outbox."""
    events = [Benched(item_id=uuid4()) for _ in range(n)]
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue_many(conn, events, source=PRODUCER, schema=PRODUCER)
    return {e.item_id for e in events}


class Process:
    """A service in a process of its own, killed with SIGKILL and started again."""

    def __init__(self, kind: str, settings: ServiceSettings) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._kind, self._settings = kind, settings
        self._stop = self._context.Event()
        self._process: Any = None

    async def start(self) -> None:
        # An event of its own each time: one whose waiter was killed blocks ``set`` forever.
        self._stop = self._context.Event()
        ready = self._context.Event()
        self._process = self._context.Process(
            target=serve, args=(self._kind, self._settings, ready, self._stop), daemon=True
        )
        self._process.start()
        if not await asyncio.to_thread(ready.wait, 120):
            raise RuntimeError(f"the {self._kind} process did not start")

    async def kill(self) -> None:
        self._process.kill()
        await asyncio.to_thread(self._process.join, 30)

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.to_thread(self._process.join, 30)
        if self._process.is_alive():
            await self.kill()


async def kill_repeatedly(
    setup: Setup,
    process: Process,
    n: int,
    kills: int,
    progress: Callable[[], Awaitable[int]],
    before: Callable[[], Awaitable[None]],
) -> int:
    """Kill ``process`` each time its ``progress`` (of ``n`` events) has moved on, ``kills``
    times; returns how many kills fell while events were still flowing."""
    step = max(1, n // (2 * (kills + 1)))
    mid_flow = 0
    for _ in range(kills):
        mark = await progress()

        async def moved(mark: int = mark) -> bool:
            return await progress() >= min(n, mark + step)

        await wait_until(moved, timeout_s=120, interval_s=0.01, what="progress")
        await process.kill()
        mid_flow += await setup.handled() < n
        await before()
        await process.start()
    return mid_flow


async def database_outage(infra: Infra, server: OwnPostgres, outage_s: float) -> dict[str, Any]:
    async with fresh(infra, db_acquire_timeout_s=1.0, db_connect_timeout_s=1.0) as setup:
        accepted: set[UUID] = set()
        async with (
            running(create_app(consumer_definition(setup.consumer))),
            running(create_app(definition(setup.producer))) as client,
        ):
            during: Counter[int] = Counter()
            after: Counter[int] = Counter()

            async def fire(into: Counter[int], seconds: float) -> None:
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    response = await client.post("/items", json={})
                    into[response.status_code] += 1
                    if response.status_code == 201:
                        accepted.add(UUID(response.json()["item_id"]))
                    await asyncio.sleep(0.02)

            await fire(after, 1.0)  # warm: every pooled connection in use once
            server.stop()
            await fire(during, outage_s)
            server.start()
            after.clear()
            await fire(after, 5.0)
            await setup.wait_handled(len(accepted))
            tally = await setup.tally(accepted)
        return {
            "outage_s": outage_s,
            "during": {str(k): v for k, v in sorted(during.items())},
            "after": {str(k): v for k, v in sorted(after.items())},
            "status_500": during[500] + after[500],
            **tally,
        }


async def _delivered(url: str, queue: str) -> int:
    try:
        connection = await aio_pika.connect(url, timeout=2)
    except Exception:
        return -1
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0
    finally:
        await connection.close()


async def broker_outage(
    infra: Infra, node: OwnRabbitMQ, outage_s: float, *, legacy: bool, events: int = 20
) -> dict[str, Any]:
    async with (
        fresh(infra) as setup,
        running(create_app(consumer_definition(setup.consumer))),
        running(create_app(definition(setup.producer))) as client,
    ):
        app_runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
        queue = f"{setup.producer.queue_prefix}watch"
        connection = await aio_pika.connect(node.url)
        channel = await connection.channel()
        watched = await channel.declare_queue(queue, durable=True)
        await watched.bind(setup.producer.events_exchange, routing_key=Benched.routing_key)
        await connection.close()
        if legacy:
            # As before: the relay knows nothing of the connection and nothing wakes it.
            app_runtime.relay._connected = lambda: True
            app_runtime.publisher._on_reconnect = None
        node.kill()
        ids = set()
        for _ in range(events):
            ids.add(UUID((await client.post("/items", json={})).json()["item_id"]))
        await asyncio.sleep(outage_s)
        await node.start()
        back = time.monotonic()

        async def all_there() -> bool:
            return await _delivered(node.url, queue) >= events

        await wait_until(all_there, timeout_s=180, interval_s=0.05, what="every event")
        flow_again_s = round(time.monotonic() - back, 2)
        await setup.wait_handled(events)
        return {"outage_s": outage_s, "flow_again_s": flow_again_s, **await setup.tally(ids)}


async def consumer_killed(infra: Infra, n: int, kills: int) -> dict[str, Any]:
    async with fresh(infra) as setup:
        consumer = Process("consumer", setup.consumer)
        await consumer.start()  # its queue exists before the first event is published
        try:
            async with running(create_app(definition(setup.producer))) as client:
                pool = client._transport.app.state.runtime.pool  # type: ignore[attr-defined]
                ids = await fill_outbox(pool, n)

                async def nothing() -> None:
                    pass

                mid_flow = await kill_repeatedly(setup, consumer, n, kills, setup.handled, nothing)
                await setup.wait_handled(n)
                tally = await setup.tally(ids)
        finally:
            await consumer.stop()
        return {"kills": kills, "kills_mid_flow": mid_flow, **tally}


async def relay_killed(infra: Infra, n: int, kills: int) -> dict[str, Any]:
    # Small batches: many publish-then-delete rounds, so that a kill falls between the two.
    async with fresh(infra, outbox_batch_size=20) as setup:
        async with running(create_app(consumer_definition(setup.consumer))):
            pool = await create_pool(setup.database_url, PRODUCER, min_size=1, max_size=2)
            try:
                ids = await fill_outbox(pool, n)
                pending: list[int] = []

                async def count_pending() -> None:
                    pending.append(await pool.fetchval("SELECT count(*) FROM outbox"))

                async def published() -> int:
                    # The relay's own progress: rows it deleted after publishing them.
                    left: int = await pool.fetchval("SELECT count(*) FROM outbox")
                    return n - left

                producer = Process("producer", setup.producer)
                await producer.start()
                try:
                    mid_flow = await kill_repeatedly(
                        setup, producer, n, kills, published, count_pending
                    )
                    await setup.wait_handled(n)
                    tally = await setup.tally(ids)
                finally:
                    await producer.stop()
            finally:
                await pool.close()
        return {
            "kills": kills,
            "kills_mid_flow": mid_flow,
            "outbox_rows_at_kills": pending,
            **tally,
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outage-s", type=float, default=10.0, help="each outage's length")
    parser.add_argument("--events", type=int, default=3000, help="events of the kill scenarios")
    parser.add_argument("--consumer-kills", type=int, default=10)
    parser.add_argument("--relay-kills", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=SCENARIOS, choices=SCENARIOS)
    args = parser.parse_args()
    print(
        f"outages of {args.outage_s} s; {args.events} events, consumer killed "
        f"{args.consumer_kills} times, relay killed {args.relay_kills} times",
        file=sys.stderr,
    )
    server = OwnPostgres()
    node = OwnRabbitMQ()
    server.start()
    try:
        await node.start()
        infra = Infra(node.url, server.url)
        results: dict[str, Any] = {}

        async def scenario(name: str, run: Awaitable[dict[str, Any]]) -> None:
            started = time.monotonic()
            results[name] = {**await run, "seconds": round(time.monotonic() - started, 1)}
            print(f"{name}: {json.dumps(results[name])}", file=sys.stderr)

        runs: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
            "database_outage": lambda: database_outage(infra, server, args.outage_s),
            "broker_outage": lambda: broker_outage(infra, node, args.outage_s, legacy=False),
            "consumer_killed": lambda: consumer_killed(infra, args.events, args.consumer_kills),
            "relay_killed": lambda: relay_killed(infra, args.events, args.relay_kills),
        }
        for name in args.only:
            await scenario(name, runs[name]())
        if "broker_outage" in args.only:
            legacy = await broker_outage(infra, node, args.outage_s, legacy=True)
            results["broker_outage"]["flow_again_s_legacy_relay"] = legacy["flow_again_s"]
    finally:
        node.remove()
        server.remove()
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
