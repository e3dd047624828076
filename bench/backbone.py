"""Benchmarks of the event backbone; the last line printed is one JSON object.

- ``ceiling_msgs_per_s``: the bare broker (bench/ceiling.py), measured in the same run;
- ``hop_events_per_s``: events flooded into one service's outbox until every one has
  had its effect, once, in another service (outbox → relay → broker → inbox + effect);
- ``hop_ratio``: the two divided, each hop by the mean of the ceilings measured just
  before and after it; the median of ``--rounds`` such rounds. The consuming service runs
  ``--replicas`` processes (2, one per core here); ``hop_one_replica_*`` is one process;
- ``e2e_p50_ms``/``e2e_p99_ms``: HTTP quiz submission on diagnosis → event →
  notification recorded by notifications, at a steady rate (see bench/slice_bench.py).

Run with ``make bench`` (RabbitMQ and PostgreSQL at AMQP_URL/DATABASE_URL).
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import uvloop
from pydantic import Field

sys.path.insert(0, str(Path(__file__).parent))

from ceiling import amqp_ceiling
from slice_bench import measure_slice

from deformations_common import migrations, outbox
from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection, Pool, create_pool
from deformations_common.service import Runtime, ServiceDefinition, create_app
from deformations_common.settings import Environment, ServiceSettings
from deformations_contracts.base import EventData
from deformations_devtools.testing import (
    Infra,
    create_database,
    delete_broker_objects,
    drop_database,
    isolated_settings,
)


class BenchPinged(EventData):
    routing_key: ClassVar[str] = "bench.pinged.v1"
    producer: ClassVar[str] = "bench_producer"
    ping_id: UUID
    n: int = Field(ge=0)


def consumer_handlers() -> EventHandlers:
    handlers = EventHandlers("bench_consumer")

    @handlers.on(BenchPinged, batchable=True)
    async def on_pinged(event: BenchPinged, ctx: EventContext, conn: Connection) -> None:
        await conn.execute(
            "INSERT INTO effects (ping_id, n) VALUES ($1, $2)", event.ping_id, event.n
        )

    return handlers


def run_consumer(settings: ServiceSettings, ready: Any, stop: Any) -> None:
    """The consuming service, in a process of its own as in a deployment."""

    async def serve() -> None:
        app = create_app(
            ServiceDefinition(settings, "bench consumer", handlers=consumer_handlers())
        )
        async with app.router.lifespan_context(app):
            ready.set()
            await asyncio.to_thread(stop.wait)

    # The event loop uvicorn runs the services on.
    uvloop.run(serve())


async def _write(pool: Pool, worker: int, n: int, writers: int, per_tx: int) -> None:
    """One writer's share of the flood, ``per_tx`` events per transaction."""
    for start in range(worker * per_tx, n, writers * per_tx):
        async with pool.acquire() as conn, conn.transaction():
            for i in range(start, min(start + per_tx, n)):
                await outbox.enqueue(
                    conn,
                    BenchPinged(ping_id=uuid4(), n=i),
                    source="bench_producer",
                    schema="bench_producer",
                )


async def measure_hop(
    infra: Infra,
    n: int,
    writers: int,
    per_tx: int,
    replicas: int = 1,
    *,
    prefill: bool = True,
) -> dict[str, float]:
    database_url = await create_database(infra.admin_database_url)
    namespace = f"bench{uuid4().hex[:8]}"
    settings: dict[str, ServiceSettings] = {
        name: isolated_settings(
            ServiceSettings,
            infra,
            database_url,
            namespace,
            name,
            prefetch=256,
            outbox_batch_size=500,
            db_pool_max=20,
            environment=Environment.DEV,  # run as deployed, not as in tests
        )
        for name in ("bench_producer", "bench_consumer")
    }
    consumer_settings = settings["bench_consumer"]
    await migrations.migrate(database_url, "bench_consumer", None)
    pool = await create_pool(database_url, "bench_consumer", min_size=1, max_size=2)
    await pool.execute("CREATE TABLE effects (ping_id uuid PRIMARY KEY, n int NOT NULL)")
    handlers = consumer_handlers()
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    readiness = [ctx.Event() for _ in range(replicas)]
    # Replicas of the consuming service share its queue, as a deployment scales it.
    consumers = [
        ctx.Process(target=run_consumer, args=(consumer_settings, ready, stop), daemon=True)
        for ready in readiness
    ]
    for process in consumers:
        process.start()
    try:
        async with AsyncExitStack() as stack:
            for ready in readiness:
                if not await asyncio.to_thread(ready.wait, 60):
                    raise RuntimeError("a consumer process did not start")
            producer_settings = settings["bench_producer"]
            producer = create_app(
                ServiceDefinition(producer_settings, "bench producer", produces=[BenchPinged])
            )
            await stack.enter_async_context(producer.router.lifespan_context(producer))
            runtime: Runtime = producer.state.runtime
            if prefill:
                # The whole flood is committed at once into the outbox of a running relay:
                # the figure is the hop alone, from committed outbox rows to effects.
                await _write(runtime.pool, 0, n, 1, n)
                t0 = time.perf_counter()
            else:
                # Writers fill the outbox while the relay publishes.
                t0 = time.perf_counter()
                await asyncio.gather(
                    *(_write(runtime.pool, w, n, writers, per_tx) for w in range(writers))
                )
            deadline = time.monotonic() + 600
            while (done := await pool.fetchval("SELECT count(*) FROM effects")) < n:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {done}/{n} effects after 600 s")
                await asyncio.sleep(0.02)
            elapsed = time.perf_counter() - t0
            distinct = await pool.fetchval("SELECT count(DISTINCT n) FROM effects")
            if done != n or distinct != n:
                raise RuntimeError(f"exactly-once broken: {done} effects, {distinct} distinct")
    finally:
        stop.set()
        for process in consumers:
            process.join(30)
        await pool.close()
        for s in settings.values():
            await delete_broker_objects(infra.amqp_url, s, handlers.subscriptions)
        await drop_database(infra.admin_database_url, database_url)
    return {"hop_events_per_s": n / elapsed, "hop_seconds": elapsed, "hop_replicas": replicas}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000, help="events in the hop flood")
    parser.add_argument("--rounds", type=int, default=3, help="hops, each between two ceilings")
    parser.add_argument("--ceiling-n", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--per-tx", type=int, default=50)
    # The consuming service runs one replica per core of this machine, as a deployment
    # scales it (competing consumers on its quorum queue); one replica is measured too.
    parser.add_argument("--replicas", type=int, default=2, help="consumer processes")
    parser.add_argument("--rate", type=float, default=100.0, help="slice submissions per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the slice run")
    return parser.parse_args(argv)


def infra_from_env() -> Infra:
    return Infra(
        os.environ.get("TEST_AMQP_URL")
        or os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        os.environ.get("TEST_DATABASE_URL")
        or os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    infra = infra_from_env()
    # The latency first, on a quiet machine: the floods below leave checkpoints and
    # vacuum work behind them that would land in its tail.
    e2e = await measure_slice(infra, rate=args.rate, seconds=args.seconds)
    # The broker's ceiling drifts with the disk within minutes: each hop is compared with
    # the ceilings measured just before and just after it, and the rounds' median is kept.
    ceilings = [await amqp_ceiling(infra.amqp_url, args.ceiling_n)]
    hops: list[float] = []
    for _ in range(args.rounds):
        hop = await measure_hop(infra, args.n, args.writers, args.per_tx, args.replicas)
        hops.append(hop["hop_events_per_s"])
        ceilings.append(await amqp_ceiling(infra.amqp_url, args.ceiling_n))
    ratios = [
        hop / ((before + after) / 2)
        for hop, before, after in zip(hops, ceilings[:-1], ceilings[1:], strict=True)
    ]
    # The same hop with a single consumer process: one core's worth of consuming.
    alone = await measure_hop(infra, args.n, args.writers, args.per_tx, 1)
    ceilings.append(await amqp_ceiling(infra.amqp_url, args.ceiling_n))
    alone_ratio = alone["hop_events_per_s"] / ((ceilings[-2] + ceilings[-1]) / 2)
    with_writes = await measure_hop(
        infra, args.n, args.writers, args.per_tx, args.replicas, prefill=False
    )
    print(
        "broker ceilings: "
        + ", ".join(f"{c:.0f}" for c in ceilings)
        + " msg/s; hops: "
        + ", ".join(f"{h:.0f}" for h in hops)
        + f" events/s, with one consumer process {alone['hop_events_per_s']:.0f}",
        file=sys.stderr,
    )
    return {
        "ceiling_msgs_per_s": round(statistics.median(ceilings)),
        "hop_events_per_s": round(statistics.median(hops)),
        "hop_ratio": round(statistics.median(ratios), 3),
        "hop_ratios": [round(r, 3) for r in ratios],
        "hop_n": args.n,
        "hop_consumer_replicas": args.replicas,
        "hop_one_replica_events_per_s": round(alone["hop_events_per_s"]),
        "hop_one_replica_ratio": round(alone_ratio, 3),
        # Writers filling the outbox in the producer's process while its relay publishes.
        "hop_with_writes_events_per_s": round(with_writes["hop_events_per_s"]),
        **{k: round(v, 1) for k, v in e2e.items()},
    }


async def main() -> None:
    print(json.dumps(await run(parse_args(sys.argv[1:]))))


if __name__ == "__main__":
    uvloop.run(main())
