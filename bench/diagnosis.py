"""Diagnosis figures for ``make bench``.

- ``diagnosis_scorings_per_s``: validation + scoring of synthetic quizzes, in process, one core;
- ``diagnosis_submit_to_event_p50_ms`` / ``_p99_ms``: a quiz POSTed over real HTTP (uvicorn on
  a local port) → stored, outbox → relay → broker → ``diagnosis.completed.v1`` received on a
  tap queue, at a steady submission rate;
- ``diagnosis_http_p50_ms`` / ``_p99_ms``: the HTTP answer time of those submissions.

Alone: ``scripts/with-services uv run python bench/diagnosis.py [rate] [seconds]``.
"""

import asyncio
import json
import socket
import sys
import time
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import httpx
import uvicorn

from deformations_common.service import create_app
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_devtools.diagnosis.bench import scorings_per_second
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_devtools.testing import (
    Infra,
    create_database,
    delete_broker_objects,
    drop_database,
    isolated_settings,
)
from deformations_diagnosis.app import definition
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.settings import DiagnosisSettings


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def measure_submit_to_event(infra: Infra, rate: float, seconds: float) -> dict[str, float]:
    database_url = await create_database(infra.admin_database_url)
    namespace = f"bench{uuid4().hex[:8]}"
    port = free_port()
    settings = isolated_settings(
        DiagnosisSettings,
        infra,
        database_url,
        namespace,
        "diagnosis",
        http_port=port,
        outbox_poll_interval_s=1.0,
        db_pool_max=20,
        log_level="ERROR",
    )
    app = create_app(definition(settings))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    serving = asyncio.create_task(server.serve())
    n = max(1, int(rate * seconds))
    q = load_questionnaire()
    bodies = [
        {
            "submission_id": str(uuid4()),
            "questionnaire_version": q.version,
            "answers": {k: list(v) for k, v in s.answers.items()},
        }
        for _, s in synthetic_submissions(q, n, seed=11)
    ]
    sent: dict[UUID, float] = {}
    received: dict[UUID, float] = {}
    http_ms: list[float] = []
    connection = await aio_pika.connect(infra.amqp_url)
    try:
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.05)
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(settings.events_exchange, routing_key=DiagnosisCompleted.routing_key)
        all_in = asyncio.Event()

        async def on_event(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            now = time.perf_counter()
            await message.ack()
            received[UUID(json.loads(message.body)["response_id"])] = now
            if len(received) == n:
                all_in.set()

        await queue.consume(on_event)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

            async def submit(body: dict[str, Any]) -> None:
                started = time.perf_counter()
                response = await client.post("/v1/responses", json=body)
                response.raise_for_status()
                http_ms.append((time.perf_counter() - started) * 1000)
                sent[UUID(response.json()["response_id"])] = started

            start = time.perf_counter()
            tasks = []
            for i, body in enumerate(bodies):
                # A steady rate: each submission leaves at its slot, whatever the others do.
                await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
                tasks.append(asyncio.create_task(submit(body)))
            await asyncio.gather(*tasks)
            await asyncio.wait_for(all_in.wait(), timeout=60)
    finally:
        await connection.close()
        server.should_exit = True
        await serving
        await delete_broker_objects(
            infra.amqp_url, settings, app.state.definition.handlers.subscriptions
        )
        await drop_database(infra.admin_database_url, database_url)
    latencies = [(received[r] - sent[r]) * 1000 for r in sent]
    return {
        "diagnosis_submit_rate_per_s": rate,
        "diagnosis_submit_n": float(n),
        "diagnosis_submit_to_event_p50_ms": round(percentile(latencies, 50), 1),
        "diagnosis_submit_to_event_p99_ms": round(percentile(latencies, 99), 1),
        "diagnosis_http_p50_ms": round(percentile(http_ms, 50), 1),
        "diagnosis_http_p99_ms": round(percentile(http_ms, 99), 1),
    }


async def run(infra: Infra, rate: float = 40.0, seconds: float = 10.0) -> dict[str, float]:
    figures = {"diagnosis_scorings_per_s": round(scorings_per_second(n=2000))}
    figures.update(await measure_submit_to_event(infra, rate, seconds))
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from backbone import infra_from_env

    args = [float(a) for a in sys.argv[1:3]]
    print(json.dumps(asyncio.run(run(infra_from_env(), *args))))
