"""HTTP quiz submission on diagnosis → diagnosis.completed.v1 → notification recorded.

Both services run in processes of their own behind uvicorn, as deployed. Submissions are
sent open-loop at a steady rate; a submission's latency runs from the moment it is sent
to the moment its notification is committed, as PostgreSQL tells a listener after the
commit (a trigger the bench adds to the notifications table of its own database).

The first ``warmup`` seconds at the same rate are a cold start: connections opening,
statements prepared for the first time, first calls of every code path. They are
reported apart (``e2e_warmup_max_ms``); the quantiles are those of the steady state.

In the same seconds, ``durable_floor`` takes the slice's durable steps on the bare
broker and database (``e2e_floor_*``): the share of the tail that the disk imposes.
"""

import asyncio
import gc
import multiprocessing
import socket
import statistics
import time
from uuid import uuid4

import asyncpg
import httpx
import uvicorn
from durable_floor import durable_floor

from deformations_common.auth import issue_dev_token
from deformations_common.service import create_app
from deformations_common.settings import Environment, ServiceSettings
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_devtools.testing import (
    Infra,
    create_database,
    delete_broker_objects,
    drop_database,
    isolated_settings,
)
from deformations_diagnosis.app import definition as diagnosis_definition
from deformations_diagnosis.content.loader import load_questionnaire
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


# Told by PostgreSQL to the bench once a notification is committed: NOTIFY is delivered
# after the commit, so the time of arrival is the time the notification became visible.
_SEEN_TRIGGER = """
CREATE FUNCTION public.bench_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('bench_seen', NEW.recipient_id); RETURN NEW; END $$;
CREATE TRIGGER bench_seen AFTER INSERT ON notifications.notifications
FOR EACH ROW EXECUTE FUNCTION public.bench_seen();
"""


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


async def measure_slice(
    infra: Infra, *, rate: float, seconds: float, warmup: float = 2.0
) -> dict[str, float]:
    database_url = await create_database(infra.admin_database_url)
    namespace = f"slice{uuid4().hex[:8]}"
    settings: dict[str, ServiceSettings] = {
        "diagnosis": isolated_settings(
            DiagnosisSettings,
            infra,
            database_url,
            namespace,
            "diagnosis",
            http_port=_free_port(),
            environment=Environment.DEV,  # run as deployed, not as in tests
        ),
        "notifications": isolated_settings(
            NotificationsSettings,
            infra,
            database_url,
            namespace,
            "notifications",
            http_port=_free_port(),
            environment=Environment.DEV,
        ),
    }
    ctx = multiprocessing.get_context("spawn")
    processes = [
        ctx.Process(target=_serve, args=(name, s), daemon=True) for name, s in settings.items()
    ]
    for process in processes:
        process.start()
    questionnaire = load_questionnaire()
    warmup_count = int(rate * warmup)
    count = warmup_count + int(rate * seconds)
    bodies = [
        {
            "submission_id": str(uuid4()),
            "questionnaire_version": submission.questionnaire_version,
            "answers": {k: list(v) for k, v in submission.answers.items()},
        }
        for _, submission in synthetic_submissions(questionnaire, count, seed=7)
    ]
    tokens = [issue_dev_token(settings["diagnosis"], f"bench-{i}") for i in range(count)]
    sent_at = [0.0] * count
    answered_at = [0.0] * count
    seen_at: dict[int, float] = {}
    all_seen = asyncio.Event()

    def on_seen(_conn: object, _pid: int, _channel: str, recipient: str) -> None:
        # bench-<i> is the i-th submission sent; the first notification of each counts.
        seen_at.setdefault(int(recipient.removeprefix("bench-")), time.monotonic())
        if len(seen_at) == count:
            all_seen.set()

    # The client's own full collections would stall its open loop and show as latency.
    gc.collect()
    gc.freeze()
    listener = None
    try:
        urls = {name: f"http://127.0.0.1:{s.http_port}" for name, s in settings.items()}
        await asyncio.gather(*(_ready(u) for u in urls.values()))
        listener = await asyncpg.connect(database_url)
        await listener.execute(_SEEN_TRIGGER)
        await listener.add_listener("bench_seen", on_seen)
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=urls["diagnosis"], limits=limits) as client:

            async def submit(i: int) -> None:
                await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
                sent_at[i] = time.monotonic()
                response = await client.post(
                    "/v1/responses",
                    json=bodies[i],
                    headers={"Authorization": f"Bearer {tokens[i]}"},
                )
                answered_at[i] = time.monotonic()
                response.raise_for_status()

            start = time.monotonic() + 0.5
            floor = asyncio.create_task(
                durable_floor(
                    infra.amqp_url,
                    database_url,
                    rate=min(rate, 20.0),
                    n=int(min(rate, 20.0) * seconds),
                    delay=0.5 + warmup,
                )
            )
            await asyncio.gather(*(submit(i) for i in range(count)))
            floor_latencies = await floor
        try:
            await asyncio.wait_for(all_seen.wait(), timeout=120)
        except TimeoutError:
            raise RuntimeError(f"only {len(seen_at)}/{count} notifications recorded") from None
    finally:
        if listener is not None:
            await listener.close()
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
    steady = range(warmup_count, count)
    latencies = sorted((seen_at[i] - sent_at[i]) * 1000 for i in steady)
    return {
        "e2e_rate_per_s": rate,
        "e2e_p50_ms": statistics.median(latencies),
        "e2e_p99_ms": _p99(latencies),
        "e2e_max_ms": latencies[-1],
        # The two halves: the HTTP request, then the event from the answer to its effect.
        "e2e_request_p99_ms": _p99([(answered_at[i] - sent_at[i]) * 1000 for i in steady]),
        "e2e_event_p99_ms": _p99([(seen_at[i] - answered_at[i]) * 1000 for i in steady]),
        "e2e_warmup_max_ms": max(
            ((seen_at[i] - sent_at[i]) * 1000 for i in range(warmup_count)), default=0.0
        ),
        "e2e_floor_p50_ms": statistics.median(floor_latencies),
        "e2e_floor_p99_ms": _p99(floor_latencies),
    }
