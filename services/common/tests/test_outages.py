"""Outages of the database are waited out, not dead-lettered; HTTP answers 503 meanwhile.

Each test runs its own PostgreSQL server (``own_postgres``), stops it as a crash would
(``pg_ctl stop -m immediate``) and starts it again; the shared servers are never touched.
The broker is the shared one, with the test's own exchange and queue names.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from prometheus_client import REGISTRY
from runtime_harness import Harness, standard_headers

from deformations_common.settings import ServiceSettings
from deformations_devtools.testing import (
    Infra,
    OwnPostgres,
    delete_broker_objects,
    wait_until,
)

QUEUE = "ponger.test.pinged.v1"
# Short deadlines, so that an outage is noticed at once.
FAST = {"db_acquire_timeout_s": 1.0, "db_connect_timeout_s": 1.0, "db_pool_min": 1}


@pytest.fixture
async def own_harness(
    infra: Infra, own_postgres: OwnPostgres, namespace: str
) -> AsyncIterator[Harness]:
    async with AsyncExitStack() as stack:
        h = Harness(infra, own_postgres.url, namespace, stack)
        yield h
    for service in h.started:
        handlers = service.app.state.definition.handlers
        await delete_broker_objects(
            infra.amqp_url, service.settings, handlers.subscriptions if handlers else []
        )


def _count(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "deformations_events_consumed_total",
        {"service": "ponger", "routing_key": "test.pinged.v1", "outcome": outcome},
    )
    return value or 0.0


def _ping(n: int) -> tuple[bytes, dict[str, Any]]:
    from uuid import uuid4

    return json.dumps({"ping_id": str(uuid4()), "n": n}).encode(), standard_headers()


async def test_a_database_outage_is_waited_out_not_dead_lettered(
    own_harness: Harness, own_postgres: OwnPostgres
) -> None:
    # Retries of 0.2 s and 0.4 s, 3 attempts: counted attempts would be exhausted within
    # a second; the outage lasts four, and a held message is parked after one.
    consumer = await own_harness.start_consumer(consumer_outage_hold_s=1.0, **FAST)
    settings: ServiceSettings = consumer.settings
    dlq = f"{settings.queue_prefix}{QUEUE}.dlq"
    body, headers = _ping(0)
    await own_harness.publish_raw(body, headers)
    await wait_until(lambda: _effects_count(own_harness, 1), what="the first ping handled")
    retried, exhausted, deferred = _count("retried"), _count("exhausted"), _count("deferred")

    own_postgres.stop()
    for n in range(1, 6):
        body, headers = _ping(n)
        await own_harness.publish_raw(body, headers)
    gate = consumer.runtime.gate
    assert gate is not None
    await wait_until(lambda: not gate.up, what="the consumer to notice the outage")
    await asyncio.sleep(4)  # the outage itself, far longer than every retry delay
    assert await own_harness.ready(dlq) == 0
    assert _count("deferred") > deferred, "messages held past the hold time are parked"

    own_postgres.start()
    await wait_until(lambda: _effects_count(own_harness, 6), timeout_s=30, what="every ping")
    assert await own_harness.ready(dlq) == 0
    assert _count("retried") == retried and _count("exhausted") == exhausted
    assert len(await own_harness.effects()) == 6


async def _effects_count(harness: Harness, expected: int) -> bool:
    try:
        return len(await harness.effects()) >= expected
    except OSError:
        return False


async def test_http_answers_503_during_an_outage_and_nothing_fails_after_it(
    own_harness: Harness, own_postgres: OwnPostgres
) -> None:
    producer = await own_harness.start_producer(**FAST)
    client = producer.client
    assert (await client.post("/pings", json={"n": 1})).status_code == 201

    own_postgres.stop()
    answers = [await client.post("/pings", json={"n": 2}) for _ in range(5)]
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["retry-after"] == "5"
        problem = answer.json()
        assert problem["code"] == "database_unavailable"
        assert "base de données" in problem["detail"]
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("unavailable")
    assert (await client.get("/healthz")).status_code == 200

    own_postgres.start()
    # The pool held connections opened before the restart: none of them may fail a request.
    statuses = [(await client.post("/pings", json={"n": 3})).status_code for _ in range(20)]
    assert statuses == [201] * 20
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"


async def test_readiness_does_not_depend_on_the_broker(
    own_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    producer = await own_harness.start_producer()

    async def broker_away(**_: Any) -> bool:
        return False

    monkeypatch.setattr(producer.runtime.broker, "ping", broker_away)
    ready = await producer.client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True and body["degraded"] is True
    assert body["checks"] == {"database": "ok", "broker": "unavailable"}
    assert body["tasks"]["outbox-relay"]["state"] == "running"
    broker_up = REGISTRY.get_sample_value(
        "deformations_dependency_up", {"service": "pinger", "dependency": "broker"}
    )
    assert broker_up == 0
    assert (await producer.client.post("/pings", json={"n": 1})).status_code == 201
