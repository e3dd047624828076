"""The matching service's own path at national scale, on a real PostgreSQL.

    scripts/with-services uv run python services/matching/bench/bench_service.py [--small]

Loads 50k offers and 50k open requests (seeded, real geography) into the read model,
rebuilds a replica's offer index from it, then times what the ``skill.requested.v1``
handler does for one new request in its transaction (catch up with committed changes,
store the request, score, store and enqueue the proposals) and one global re-match
round. No broker: the relay's publishing is measured by the backbone benchmark. The last
line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from deformations_common import db, migrations, outbox
from deformations_common.db import Connection
from deformations_common.geography import load_geography
from deformations_common.vocabulary.clock import system_clock
from deformations_contracts.base import EventData
from deformations_devtools.matching.synthetic import make_world
from deformations_devtools.testing import create_database, drop_database
from deformations_matching.service.proposing import propose_for_request
from deformations_matching.service.rematch import run_round
from deformations_matching.service.uow import MatchingUow
from deformations_matching.settings import MatchingSettings

SCHEMA = "matching"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def uuid_of(text: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"bench:{text}")


async def record(conn: Connection, events: Sequence[EventData]) -> list[UUID]:
    """Into the outbox, as the running service records them (no broker here)."""
    if len(events) == 1:
        return [await outbox.enqueue(conn, events[0], source="matching", schema=SCHEMA)]
    return await outbox.enqueue_many(conn, events, source="matching", schema=SCHEMA)


async def load(conn: Connection, offers: int, requests: int, seed: int) -> list[tuple]:
    world = make_world(load_geography(), offers=offers, requests=requests + 1000, seed=seed)
    await conn.copy_records_to_table(
        "offers",
        columns=[
            "offer_id",
            "status",
            "siren",
            "insee_code",
            "theme",
            "description",
            "capacity_half_days",
            "half_days",
            "modality",
        ],
        records=[
            (
                uuid_of(o.offer_id),
                "open",
                o.lender_siren,
                o.place.insee,
                min(o.themes),
                o.description,
                o.capacity_half_days,
                sorted(o.availability.slots),
                o.availability.modality.value,
            )
            for o in world.offers
        ],
    )
    rows = [
        (
            uuid_of(r.request_id),
            "open",
            r.requester_siren,
            r.place.insee,
            min(r.themes),
            r.description,
            r.half_days,
            sorted(r.availability.slots),
            r.availability.modality.value,
            date.today() + timedelta(days=90),
        )
        for r in world.requests
    ]
    await conn.copy_records_to_table(
        "requests",
        columns=[
            "request_id",
            "status",
            "siren",
            "insee_code",
            "theme",
            "need",
            "half_days",
            "preferred",
            "modality",
            "period_end",
        ],
        records=rows[:requests],
    )
    return rows[requests:]  # new requests, to time one by one


async def main(small: bool, seed: int) -> dict[str, float]:
    admin = os.environ.get("TEST_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    url = await create_database(admin)
    try:
        await migrations.migrate(url, SCHEMA, "deformations_matching.migrations")
        pool = await db.create_pool(url, SCHEMA, min_size=1, max_size=2)
        offers = requests = 5_000 if small else 50_000
        settings = MatchingSettings(database_url=url)
        async with pool.acquire() as conn:
            uow = MatchingUow(conn, settings, system_clock, record)
            started = time.perf_counter()
            fresh = await load(conn, offers, requests, seed)
            loaded_s = time.perf_counter() - started
            say(f"loaded {offers} offers, {requests} requests in {loaded_s:.1f} s")
            book = uow.book
            started = time.perf_counter()
            await book.refreshed(uow.offers, date.today())
            rebuild_s = time.perf_counter() - started
            gc.freeze()
            say(f"replica index rebuilt from the read model in {rebuild_s:.2f} s")
            timings = []
            for row in fresh[:500]:
                started = time.perf_counter()
                async with conn.transaction():
                    await book.refreshed(uow.offers, date.today())
                    await uow.requests.upsert_request(
                        request_id=row[0],
                        siren=row[2],
                        insee_code=row[3],
                        epci_siren=None,
                        theme=row[4],
                        need=row[5],
                        half_days=row[6],
                        preferred=row[7],
                        modality=row[8],
                        period_end=row[9],
                        requested_at=datetime.now(UTC),
                    )
                    stored = await uow.requests.get_request(row[0])
                    assert stored is not None
                    await propose_for_request(uow, stored, 3)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p50 = statistics.median(timings)
            p99 = timings[int(0.99 * (len(timings) - 1))]
            say(f"new request → stored, proposed, enqueued: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
            started = time.perf_counter()
            async with conn.transaction():
                summary = await run_round(uow, 8)
            round_s = time.perf_counter() - started
            say(
                f"global round over {summary.requests} requests: {summary.emitted} new "
                f"proposals, {summary.grouped} offres groupées in {round_s:.1f} s"
            )
        await pool.close()
    finally:
        await drop_database(admin, url)
    return {
        "service_offers": offers,
        "service_index_rebuild_s": round(rebuild_s, 2),
        "service_incremental_p50_ms": round(p50, 2),
        "service_incremental_p99_ms": round(p99, 2),
        "service_global_round_s": round(round_s, 1),
        "service_global_round_emitted": summary.emitted,
        "service_global_round_grouped": summary.grouped,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.small, args.seed))))
