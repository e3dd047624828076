"""Lending figures for ``make bench``: loan agreement and session booking latencies over
HTTP (in-process ASGI, real PostgreSQL), booking throughput, a contended half-day, and
the delay from a booking's commit to its ``session.scheduled.v1`` on the broker.

Run alone: ``scripts/with-services uv run python bench/lending.py``.
"""

import asyncio
import contextlib
import json
import statistics
import time
import uuid
from datetime import date, timedelta
from typing import Any

import aio_pika
import httpx

from deformations_common.auth import issue_dev_token
from deformations_common.service import create_app
from deformations_devtools.testing import (
    Infra,
    create_database,
    delete_broker_objects,
    drop_database,
    isolated_settings,
    running,
    wait_until,
)
from deformations_lending.app import definition
from deformations_lending.settings import LendingSettings
from deformations_lending.subscribers import handlers

CREST, AOUSTE = "212601082", "212600118"
NOW = "2027-03-01T08:00:00+01:00"  # a Monday
PERIOD = {"start": "2027-03-01", "end": "2027-12-31"}
LOANS = 24
SESSIONS_PER_LOAN = 6
CONTENDERS = 12


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


class _Bench:
    def __init__(self, client: httpx.AsyncClient, settings: LendingSettings) -> None:
        self.client = client
        self.settings = settings

    def who(self, siren: str, role: str) -> dict[str, str]:
        token = issue_dev_token(
            self.settings, f"bench-{role}-{siren}", authority=siren, roles=[role]
        )
        return {"Authorization": f"Bearer {token}", "x-deformations-now": NOW}

    async def post(self, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
        response = await self.client.post(path, json=body, headers=headers)
        if response.status_code >= 400 and response.status_code != 409:
            raise RuntimeError(f"{path}: {response.status_code} {response.text}")
        return response

    async def agreed_loan(self, n: int) -> str:
        offer = await self.post(
            "/v1/offers",
            {
                "theme": "alimentation",
                "description": "Accompagner une cantine vers des produits durables et locaux.",
                "agent_role": "Technicienne restauration collective",
                "agent_ref": f"bench-agent-{n}",
                "capacity_half_days": SESSIONS_PER_LOAN,
                "period": PERIOD,
                "possible_half_days": [
                    {"weekday": d, "part": p} for d in range(1, 6) for p in ("am", "pm")
                ],
                "modality": "on_site",
                "reimbursement": "full_salary",
            },
            self.who(CREST, "hr"),
        )
        loan = await self.post(
            "/v1/loans",
            {
                "offer_id": offer.json()["id"],
                "half_days": SESSIONS_PER_LOAN,
                "period": PERIOD,
                "scope": "Former l'équipe de la cantine aux achats durables.",
                "accept": True,
            },
            self.who(AOUSTE, "elected"),
        )
        base = f"/v1/loans/{loan.json()['id']}"
        await self.post(f"{base}/approvals/elected", None, self.who(CREST, "elected"))
        # The RH names the agent (the bench's agent of Crest), who then consents in person.
        agent = f"bench-agent-{CREST}"
        await self.post(f"{base}/approvals/hr", {"agent_person_id": agent}, self.who(CREST, "hr"))
        await self.post(f"{base}/approvals/agent", None, self.who(CREST, "agent"))
        return base


def _weekdays(count: int) -> list[dict[str, str]]:
    slots: list[dict[str, str]] = []
    day = date(2027, 3, 2)
    while len(slots) < count:
        if day.weekday() < 5:
            slots += [{"day": day.isoformat(), "part": p} for p in ("am", "pm")]
        day += timedelta(days=1)
    return slots[:count]


async def run(infra: Infra) -> dict[str, float]:
    database_url = await create_database(infra.admin_database_url)
    namespace = f"b{uuid.uuid4().hex[:10]}"
    settings = isolated_settings(LendingSettings, infra, database_url, namespace, "lending")
    app = create_app(definition(settings))
    connection = await aio_pika.connect(infra.amqp_url)
    try:
        async with running(app) as client:
            return await _measure(_Bench(client, settings), connection, namespace)
    finally:
        await connection.close()
        await delete_broker_objects(infra.amqp_url, settings, handlers.subscriptions)
        await drop_database(infra.admin_database_url, database_url)


async def _measure(
    bench: _Bench, connection: aio_pika.abc.AbstractConnection, namespace: str
) -> dict[str, float]:
    channel = await connection.channel()
    tap = await channel.declare_queue(exclusive=True, auto_delete=True)
    # Bound to every key, as the deployed platform's subscribers are: an event nobody
    # subscribes to is unroutable and holds the outbox back (mandatory publishing).
    await tap.bind(f"deformations.events.{namespace}", routing_key="#")
    arrived: dict[str, float] = {}

    async def on_event(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            if message.routing_key == "session.scheduled.v1":
                arrived[json.loads(message.body)["session_id"]] = time.perf_counter()

    await tap.consume(on_event)

    agree: list[float] = []
    loans = []
    for n in range(LOANS):
        started = time.perf_counter()
        loans.append(await bench.agreed_loan(n))
        agree.append(time.perf_counter() - started)

    slots = _weekdays(SESSIONS_PER_LOAN)
    booked: dict[str, float] = {}
    latencies: list[float] = []

    async def book(base: str, slot: dict[str, str]) -> None:
        started = time.perf_counter()
        response = await bench.post(f"{base}/sessions", slot, bench.who(AOUSTE, "elected"))
        latencies.append(time.perf_counter() - started)
        booked[response.json()["id"]] = time.perf_counter()

    started = time.perf_counter()
    for slot in slots:  # every loan books the same slot at once: different agents
        await asyncio.gather(*(book(base, slot) for base in loans))
    elapsed = time.perf_counter() - started

    with contextlib.suppress(AssertionError):
        await wait_until(lambda: len(arrived) >= len(booked), timeout_s=30, what="events")
    delays = [arrived[s] - t for s, t in booked.items() if s in arrived]

    contended = await bench.agreed_loan(LOANS + 1)
    racers = await asyncio.gather(
        *(
            bench.post(f"{contended}/sessions", slots[0], bench.who(AOUSTE, "elected"))
            for _ in range(CONTENDERS)
        )
    )
    winners = sum(1 for r in racers if r.status_code == 201)
    return {
        "lending_agree_loan_ms_p50": _ms(agree, 0.5),
        "lending_agree_loan_ms_p95": _ms(agree, 0.95),
        "lending_book_session_ms_p50": _ms(latencies, 0.5),
        "lending_book_session_ms_p95": _ms(latencies, 0.95),
        "lending_bookings_per_s": round(len(latencies) / elapsed, 1),
        "lending_session_event_delay_ms_p50": _ms(delays, 0.5) if delays else -1.0,
        "lending_session_event_delay_ms_p95": _ms(delays, 0.95) if delays else -1.0,
        "lending_contended_half_day_winners": float(winners),
        "lending_events_missing": float(len(booked) - len(delays)),
        "lending_mean_agree_ms": round(1000 * statistics.fmean(agree), 2),
    }


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from backbone import infra_from_env

    print(json.dumps(asyncio.run(run(infra_from_env())), indent=2))
