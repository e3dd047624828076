"""HTTP quiz submission on diagnosis → diagnosis.completed.v1 → notification recorded.

Both services run in processes of their own behind uvicorn, as deployed. Submissions are
sent open-loop at a steady rate; a submission's latency runs from the moment it is sent
to the commit time of its notification (``created_at``, the same host clock).
"""

import asyncio
import multiprocessing
import socket
import statistics
import time
from datetime import datetime
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import uvicorn

from deformations_common.auth import issue_dev_token
from deformations_common.service import create_app
from deformations_common.settings import ServiceSettings
from deformations_common.testing import (
    Infra,
    create_database,
    delete_broker_objects,
    drop_database,
    isolated_settings,
)
from deformations_diagnosis.app import definition as diagnosis_definition
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.domain.synthetic import synthetic_submissions
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_notifications.app import definition as notifications_definition
from deformations_notifications.settings import NotificationsSettings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(service: str, settings: ServiceSettings) -> None:
    factory = diagnosis_definition if service == "diagnosis" else notifications_definition
    app = create_app(factory(settings))  # type: ignore[arg-type]
    uvicorn.run(app, host="127.0.0.1", port=settings.http_port, log_config=None, access_log=False)


async def _ready(url: str) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} not ready")
            await asyncio.sleep(0.2)


async def measure_slice(infra: Infra, *, rate: float, seconds: float) -> dict[str, float]:
    database_url = await create_database(infra.admin_database_url)
    namespace = f"slice{uuid4().hex[:8]}"
    settings: dict[str, ServiceSettings] = {
        "diagnosis": isolated_settings(
            DiagnosisSettings, infra, database_url, namespace, "diagnosis", http_port=_free_port()
        ),
        "notifications": isolated_settings(
            NotificationsSettings,
            infra,
            database_url,
            namespace,
            "notifications",
            http_port=_free_port(),
        ),
    }
    ctx = multiprocessing.get_context("spawn")
    processes = [
        ctx.Process(target=_serve, args=(name, s), daemon=True) for name, s in settings.items()
    ]
    for process in processes:
        process.start()
    questionnaire = load_questionnaire()
    count = int(rate * seconds)
    bodies = [
        {
            "submission_id": str(uuid4()),
            "questionnaire_version": submission.questionnaire_version,
            "answers": {k: list(v) for k, v in submission.answers.items()},
        }
        for _, submission in synthetic_submissions(questionnaire, count, seed=7)
    ]
    sent_at: dict[str, float] = {}
    try:
        urls = {name: f"http://127.0.0.1:{s.http_port}" for name, s in settings.items()}
        await asyncio.gather(*(_ready(u) for u in urls.values()))
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=urls["diagnosis"], limits=limits) as client:

            async def submit(i: int, body: dict[str, Any]) -> None:
                person = f"bench-{i}"
                token = issue_dev_token(settings["diagnosis"], person)
                await asyncio.sleep(max(0.0, start + i / rate - time.time()))
                sent_at[person] = time.time()
                response = await client.post(
                    "/v1/responses", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                response.raise_for_status()

            start = time.time() + 0.5
            await asyncio.gather(*(submit(i, b) for i, b in enumerate(bodies)))
        conn = await asyncpg.connect(database_url)
        try:
            deadline = time.monotonic() + 120
            while True:
                rows = await conn.fetch(
                    """SELECT n.recipient_id, n.created_at, r.created_at AS committed_at
                       FROM notifications.notifications n
                       JOIN diagnosis.responses r ON r.id = (n.payload->>'response_id')::uuid"""
                )
                if len(rows) >= count or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
        finally:
            await conn.close()
        if len(rows) < count:
            raise RuntimeError(f"only {len(rows)}/{count} notifications recorded")
        latencies = sorted(
            (_epoch(r["created_at"]) - sent_at[r["recipient_id"]]) * 1000 for r in rows
        )
        # The two halves: the request until its commit, then the event until its effect.
        request_part = [
            (_epoch(r["committed_at"]) - sent_at[r["recipient_id"]]) * 1000 for r in rows
        ]
        event_part = [(_epoch(r["created_at"]) - _epoch(r["committed_at"])) * 1000 for r in rows]
    finally:
        for process in processes:
            process.terminate()
            process.join(20)
        for name, s in settings.items():
            handlers = (diagnosis_definition if name == "diagnosis" else notifications_definition)(
                s
            ).handlers  # type: ignore[arg-type]
            await delete_broker_objects(
                infra.amqp_url, s, handlers.subscriptions if handlers else []
            )
        await drop_database(infra.admin_database_url, database_url)
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "e2e_rate_per_s": rate,
        "e2e_p50_ms": statistics.median(latencies),
        "e2e_p99_ms": quantiles[98],
        "e2e_max_ms": latencies[-1],
        "e2e_request_p99_ms": statistics.quantiles(request_part, n=100)[98],
        "e2e_event_p99_ms": statistics.quantiles(event_part, n=100)[98],
    }


def _epoch(value: datetime) -> float:
    return value.timestamp()
