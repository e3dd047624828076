"""Portal figures for ``make bench``: « Mon espace » under 50 concurrent signed-in users.

- ``portal_p95_ms`` (and ``_p50_ms``): the answer time of ``GET /espace``, each of the 50
  users a browser-like client with its own session, asking again as soon as answered;
- ``portal_slowest_call_p95_ms``: the p95 of the slowest of the service calls the page
  makes (diagnosis, matching, lending, notifications ×2), timed inside the portal during
  the same requests;
- ``portal_ratio``: the first over the second. The calls run side by side, so « Mon espace »
  should cost little more than its slowest call (aim: at most 1.5).

The portal and the four services each run in a process of their own (as deployed: no
shared interpreter lock between them); this process only sends the requests.

Alone: ``scripts/with-services uv run python bench/portal.py [users] [seconds]``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import sys
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

import httpx

from deformations_common.settings import Environment, ServiceSettings
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import (
    Infra,
    create_database,
    delete_broker_objects,
    drop_database,
    free_port,
    isolated_settings,
    wait_until,
)
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_lending.settings import LendingSettings
from deformations_matching.settings import MatchingSettings
from deformations_notifications.settings import NotificationsSettings
from deformations_portal.service import memberships, people
from deformations_portal.settings import PortalSettings
from deformations_portal.web.context import SESSION_COOKIE

SERVICES: dict[str, type[ServiceSettings]] = {
    "diagnosis": DiagnosisSettings,
    "matching": MatchingSettings,
    "lending": LendingSettings,
    "notifications": NotificationsSettings,
}
CALLS_PATH = "/_bench/calls"


def _definition(name: str) -> Any:
    module = __import__(f"deformations_{name}.app", fromlist=["definition"])
    return module.definition


def _serve(name: str, settings: ServiceSettings) -> None:
    """A child process: one service on its port. The portal's also times each call it makes
    to a service, and tells those times at ``CALLS_PATH`` (bench only)."""
    import uvicorn
    from fastapi import FastAPI

    from deformations_common.service import create_app

    app: FastAPI = create_app(_definition(name)(settings))
    if name == "portal":
        calls: dict[str, list[float]] = defaultdict(list)
        lock = threading.Lock()

        async def started(request: httpx.Request) -> None:
            request.extensions["bench_started"] = time.perf_counter()

        async def answered(response: httpx.Response) -> None:
            await response.aread()
            elapsed = time.perf_counter() - response.request.extensions["bench_started"]
            with lock:
                calls[f"{response.request.method} {response.request.url.path}"].append(elapsed)

        app.state.clients.http.event_hooks = {"request": [started], "response": [answered]}

        async def told() -> dict[str, list[float]]:
            with lock:
                return {k: list(v) for k, v in calls.items()}

        async def forget() -> None:
            with lock:
                calls.clear()

        app.add_api_route(CALLS_PATH, told, methods=["GET"])
        app.add_api_route(CALLS_PATH, forget, methods=["DELETE"])
    uvicorn.run(app, host="127.0.0.1", port=settings.http_port, log_config=None, access_log=False)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _signed_in_people(portal: Portal, n: int) -> list[str]:
    """``n`` élus of Crest, each with a validated membership and an open session."""

    async def create(uow: Any) -> list[str]:
        operator = await people.create_operator(uow, "bench-operateur@example.org", demo.CREST)
        secrets = []
        for _ in range(n):
            person_id = uuid.uuid4()
            await uow.persons.add(person_id, uow.now())
            asked = await memberships.request_join(uow, person_id, demo.CREST, "elected")
            await memberships.decide(uow, operator, asked.membership_id, accept=True)
            secrets.append((await people.open_session(uow, person_id)).secret)
        return secrets

    found: list[str] = await portal.run(create)
    return found


async def measure(infra: Infra, users: int, seconds: float) -> dict[str, float]:
    database_url = await create_database(infra.admin_database_url)
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    ports = {name: free_port() for name in ("portal", *SERVICES)}
    url = f"http://127.0.0.1:{ports['portal']}"
    common = {"log_level": "ERROR", "db_pool_max": 20}
    portal_settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        http_port=ports["portal"],
        public_url=url,
        app_url=url,
        smtp_port=1,
        environment=Environment.DEV,
        service_urls={name: f"http://127.0.0.1:{ports[name]}" for name in SERVICES},
        **common,
    )
    settings: dict[str, ServiceSettings] = {"portal": portal_settings}
    for name, cls in SERVICES.items():
        settings[name] = isolated_settings(
            cls,
            infra,
            database_url,
            namespace,
            name,
            http_port=ports[name],
            jwt_jwks_url=f"{url}/.well-known/jwks.json",
            jwt_issuer=portal_settings.issuer,
            jwt_audience=name,
            **common,
        )
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(target=_serve, args=(name, s), name=f"bench-{name}", daemon=True)
        for name, s in settings.items()
    ]
    for process in processes:
        process.start()
    espace_ms: list[float] = []
    try:
        async with httpx.AsyncClient(timeout=5) as probe:

            async def all_ready() -> bool:
                for port in ports.values():
                    try:
                        if (await probe.get(f"http://127.0.0.1:{port}/readyz")).status_code != 200:
                            return False
                    except httpx.HTTPError:
                        return False
                return True

            await wait_until(all_ready, timeout_s=120, interval_s=0.5, what="five services ready")
        secrets = await _signed_in_people(Portal(portal_settings), users)

        limits = httpx.Limits(max_connections=users)
        async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

            async def user(secret: str, until: float, record: bool) -> None:
                cookies = {SESSION_COOKIE: secret}
                while time.perf_counter() < until:
                    started = time.perf_counter()
                    answer = await client.get("/espace", cookies=cookies)
                    if answer.status_code != 200 or "Mes prochaines étapes" not in answer.text:
                        raise RuntimeError(f"/espace answered {answer.status_code}")
                    if record:
                        espace_ms.append((time.perf_counter() - started) * 1000)

            # Warm-up (pools, JWKS caches), then the measure from a clean slate.
            warm = time.perf_counter() + 3
            await asyncio.gather(*(user(s, warm, False) for s in secrets))
            await client.delete(CALLS_PATH)
            until = time.perf_counter() + seconds
            await asyncio.gather(*(user(s, until, True) for s in secrets))
            calls: dict[str, list[float]] = (await client.get(CALLS_PATH)).json()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=30)
        for name, s in settings.items():
            subscriptions = _definition(name)(s).handlers
            await delete_broker_objects(
                infra.amqp_url, s, subscriptions.subscriptions if subscriptions else []
            )
        await drop_database(infra.admin_database_url, database_url)

    per_call = {path: percentile(times, 95) * 1000 for path, times in calls.items()}
    slowest = max(per_call.values())
    print(
        "portal calls p95 (ms): " + json.dumps({k: round(v, 1) for k, v in per_call.items()}),
        file=sys.stderr,
    )
    p95 = percentile(espace_ms, 95)
    return {
        "portal_users": float(users),
        "portal_requests": float(len(espace_ms)),
        "portal_p50_ms": round(percentile(espace_ms, 50), 1),
        "portal_p95_ms": round(p95, 1),
        "portal_slowest_call_p95_ms": round(slowest, 1),
        "portal_ratio": round(p95 / slowest, 2),
    }


async def run(infra: Infra, users: int = 50, seconds: float = 15.0) -> dict[str, float]:
    return await measure(infra, users, seconds)


if __name__ == "__main__":
    import uvloop

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from backbone import infra_from_env

    users = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 15.0
    print(json.dumps(uvloop.run(run(infra_from_env(), users, seconds))))
