"""Figures of the runtime under faults; the last line is one JSON object.

    scripts/with-services uv run --frozen python bench/faults.py [--outage-s 10]

- ``database_outage``: a service answers requests while its PostgreSQL (its own server,
  started here) is killed and restarted: how many answers were 201, 503 and 500, during
  the outage and after it.
- ``broker_outage``: a service's RabbitMQ (its own node, started here) is killed, events
  are recorded meanwhile, the node comes back: seconds from its return until every event
  is delivered, with the relay as it is and as it was (woken by its back-off timer only,
  rows parked while the broker was away).

Only servers started here are stopped; the shared ones serve the rest (TEST_AMQP_URL,
TEST_DATABASE_URL).
"""

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from typing import Any, ClassVar
from uuid import UUID, uuid4

import aio_pika
from fastapi import APIRouter
from pydantic import BaseModel

from deformations_common.service import RuntimeDep, ServiceDefinition, create_app
from deformations_common.settings import ServiceSettings
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


class Benched(EventData):
    """An event of the fault bench."""

    routing_key: ClassVar[str] = "bench.faulted.v1"
    producer: ClassVar[str] = "faulty"

    item_id: UUID

    def subject(self) -> str:
        return str(self.item_id)


class Empty(BaseModel):
    pass


router = APIRouter()


@router.post("/items", status_code=201)
async def post_item(_: Empty, runtime: RuntimeDep) -> dict[str, str]:
    async with runtime.transaction() as conn:
        await runtime.emit(conn, Benched(item_id=uuid4()))
    return {}


def definition(settings: ServiceSettings) -> ServiceDefinition[ServiceSettings]:
    return ServiceDefinition(
        settings=settings, title="faulty", routers=[router], produces=[Benched]
    )


def settings_for(infra: Infra, database_url: str, **overrides: Any) -> ServiceSettings:
    namespace = f"f{uuid4().hex[:10]}"
    return isolated_settings(
        ServiceSettings, infra, database_url, namespace, "faulty", log_level="ERROR", **overrides
    )


async def database_outage(amqp_url: str, outage_s: float) -> dict[str, Any]:
    server = OwnPostgres()
    server.start()
    try:
        settings = settings_for(
            Infra(amqp_url, server.url),
            server.url,
            db_acquire_timeout_s=1.0,
            db_connect_timeout_s=1.0,
        )
        async with running(create_app(definition(settings))) as client:
            during: Counter[int] = Counter()
            after: Counter[int] = Counter()

            async def fire(into: Counter[int], seconds: float) -> None:
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    into[(await client.post("/items", json={})).status_code] += 1
                    await asyncio.sleep(0.02)

            await fire(after, 1.0)  # warm: every pooled connection in use once
            server.stop()
            await fire(during, outage_s)
            server.start()
            after.clear()
            await fire(after, 5.0)
        return {
            "outage_s": outage_s,
            "during": {str(k): v for k, v in sorted(during.items())},
            "after": {str(k): v for k, v in sorted(after.items())},
            "status_500": during[500] + after[500],
        }
    finally:
        server.remove()


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


async def broker_outage(admin_database_url: str, outage_s: float, *, legacy: bool) -> float:
    node = OwnRabbitMQ()
    await node.start()
    database_url = await create_database(admin_database_url)
    try:
        settings = settings_for(Infra(node.url, admin_database_url), database_url)
        async with running(create_app(definition(settings))) as client:
            app_runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
            queue = f"{settings.queue_prefix}watch"
            connection = await aio_pika.connect(node.url)
            channel = await connection.channel()
            watched = await channel.declare_queue(queue, durable=True)
            await watched.bind(settings.events_exchange, routing_key=Benched.routing_key)
            await connection.close()
            if legacy:
                # As before: the relay knows nothing of the connection and nothing wakes it.
                app_runtime.relay._connected = lambda: True
                app_runtime.publisher._on_reconnect = None
            node.kill()
            for _ in range(20):
                await client.post("/items", json={})
            await asyncio.sleep(outage_s)
            await node.start()
            back = time.monotonic()

            async def all_there() -> bool:
                return await _delivered(node.url, queue) >= 20

            await wait_until(all_there, timeout_s=180, interval_s=0.05, what="every event")
            return round(time.monotonic() - back, 2)
    finally:
        await drop_database(admin_database_url, database_url)
        node.remove()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outage-s", type=float, default=10.0)
    args = parser.parse_args()
    amqp = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    database = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    results: dict[str, Any] = {"database_outage": await database_outage(amqp, args.outage_s)}
    print(f"database outage: {json.dumps(results['database_outage'])}", file=sys.stderr)
    results["broker_outage"] = {
        "outage_s": args.outage_s,
        "flow_again_s": await broker_outage(database, args.outage_s, legacy=False),
        "flow_again_s_legacy_relay": await broker_outage(database, args.outage_s, legacy=True),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
