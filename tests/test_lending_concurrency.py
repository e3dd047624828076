"""Invariants under concurrent requests, through the API on the real PostgreSQL: an agent
is never booked twice on a half-day, an offer's half-days are never over-committed."""

import asyncio
from collections import Counter

import httpx
import pytest
from platform_harness import Platform
from test_lending_support import PERIOD, Actors, agreed_loan, created, ok, publish_offer

pytestmark = pytest.mark.integration

PARALLEL = 6


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


async def test_parallel_bookings_of_one_half_day_on_one_loan(platform: Platform) -> None:
    lending = await platform.start("lending")
    loan = await agreed_loan(lending, half_days=4, capacity_half_days=4)
    actors = Actors(lending)
    url = f"/v1/loans/{loan['id']}/sessions"

    responses = await asyncio.gather(
        *(
            lending.client.post(
                url, json={"day": "2027-03-02", "part": "am"}, headers=actors.borrower()
            )
            for _ in range(PARALLEL)
        )
    )

    assert statuses(responses) == {201: 1, 409: PARALLEL - 1}, [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "agent_already_booked"
    assert "déjà réservé" in refused.json()["detail"]
    count = await lending.runtime.pool.fetchval("SELECT count(*) FROM sessions")
    assert count == 1


async def test_parallel_bookings_of_one_agent_through_two_offers(platform: Platform) -> None:
    """Two offers of the same agent: only the database sees both bookings at once."""
    lending = await platform.start("lending")
    first = await agreed_loan(lending, agent_ref="agent-partage")
    second = await agreed_loan(lending, agent_ref="agent-partage")
    assert first["offer_id"] != second["offer_id"]
    actors = Actors(lending)

    responses = await asyncio.gather(
        *(
            lending.client.post(
                f"/v1/loans/{loan['id']}/sessions",
                json={"day": "2027-03-04", "part": "pm"},
                headers=actors.borrower(),
            )
            for loan in (first, second) * (PARALLEL // 2)
        )
    )

    assert statuses(responses) == {201: 1, 409: PARALLEL - 1}, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"agent_already_booked"}


async def test_parallel_agreements_never_over_commit_an_offer(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    offer = await publish_offer(lending, capacity_half_days=3)
    loans = []
    for _ in range(PARALLEL):
        loan = created(
            await lending.client.post(
                "/v1/loans",
                json={
                    "offer_id": offer["id"],
                    "half_days": 2,
                    "period": PERIOD,
                    "scope": "Deux demi-journées d'appui au plan alimentaire territorial.",
                    "accept": True,
                },
                headers=actors.borrower(),
            )
        )
        base = f"/v1/loans/{loan['id']}"
        ok(await lending.client.post(f"{base}/approvals/elected", headers=actors.lender_elected()))
        ok(
            await lending.client.post(
                f"{base}/approvals/hr",
                json={"agent_person_id": "agent-crest"},
                headers=actors.lender_hr(),
            )
        )
        loans.append(base)

    responses = await asyncio.gather(
        *(
            lending.client.post(
                f"{base}/approvals/agent", headers=actors.lender_agent("agent-crest")
            )
            for base in loans
        )
    )

    assert statuses(responses) == {200: 1, 409: PARALLEL - 1}, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"capacity_exceeded"}
    committed = await lending.runtime.pool.fetchval("SELECT committed_half_days FROM offers")
    assert committed == 2
