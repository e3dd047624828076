"""Body size limit (413) and declared rate limits (429 + Retry-After), as problem details."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Request
from pydantic import BaseModel

from deformations_common.auth import issue_dev_token
from deformations_common.limits import RateLimit, TokenBuckets
from deformations_common.service import ServiceDefinition, create_app
from deformations_common.settings import Environment, ServiceSettings

calls: list[str] = []
router = APIRouter()


class Note(BaseModel):
    text: str


@router.post("/notes")
async def post_note(note: Note) -> dict[str, int]:
    calls.append("notes")
    return {"length": len(note.text)}


@router.post("/raw")
async def post_raw(request: Request) -> dict[str, int]:
    calls.append("raw")
    return {"length": len(await request.body())}


@router.post("/c/{token}")
async def post_link(token: str) -> dict[str, str]:
    calls.append(token)
    return {"token": token}


@router.get("/c/{token}")
async def get_link(token: str) -> dict[str, str]:
    return {"token": token}


@router.get("/whoami")
async def whoami(request: Request) -> dict[str, str]:
    return {"address": request.client.host if request.client else "unknown"}


def settings_of(**overrides: Any) -> ServiceSettings:
    return ServiceSettings(
        environment=Environment.TEST, service_name="limited", max_body_bytes=2_048, **overrides
    )


def token_of(sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(settings_of(), sub)}"}


def client_of(client_ip: str = "203.0.113.7", **overrides: Any) -> httpx.AsyncClient:
    settings = settings_of(**overrides)
    app = create_app(
        ServiceDefinition(
            settings=settings,
            title="limited",
            routers=[router],
            rate_limits=[RateLimit("/c/{token}", per_minute=6, burst=2)],
        )
    )
    transport = httpx.ASGITransport(app=app, client=(client_ip, 4711))
    return httpx.AsyncClient(transport=transport, base_url="http://service")


@pytest.fixture(autouse=True)
def _fresh_calls() -> None:
    calls.clear()


async def test_a_body_declared_too_large_is_refused_before_it_is_read() -> None:
    async with client_of() as client:
        answer = await client.post("/notes", json={"text": "x" * 5_000})
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "content_too_large" and problem["max_bytes"] == 2_048
    assert "dépasse la taille admise" in problem["detail"]
    assert calls == []


async def test_a_streamed_body_is_cut_as_soon_as_it_passes_the_limit() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"y" * 1_000

    async with client_of() as client:
        for path in ("/notes", "/raw"):
            answer = await client.post(path, content=chunks())
            assert answer.status_code == 413, answer.text
            assert answer.json()["code"] == "content_too_large"
    # The route reading its body itself started, but never got the body.
    assert calls == ["raw"]


async def test_a_body_within_the_limit_goes_through() -> None:
    async with client_of() as client:
        answer = await client.post("/notes", json={"text": "x" * 1_000})
    assert answer.status_code == 200 and answer.json() == {"length": 1_000}


async def test_a_declared_route_answers_429_past_its_burst_per_client() -> None:
    async with client_of() as client, client_of("198.51.100.9") as other:
        first = [(await client.post("/c/abc")).status_code for _ in range(2)]
        refused = await client.post("/c/def")  # the limit is the route's, any token
        assert first == [200, 200]
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "10"
        problem = refused.json()
        assert problem["code"] == "too_many_requests" and problem["retry_after_s"] == 10
        assert "réessayez dans 10 secondes" in problem["detail"]
        assert (await other.post("/c/abc")).status_code == 200, "another client has its own"
        assert (await client.get("/c/abc")).status_code == 200, "only the declared methods"
        assert (await client.post("/notes", json={"text": ""})).status_code == 200
    assert calls == ["abc", "abc", "abc", "notes"]


async def test_settings_scale_or_turn_the_limits_off() -> None:
    async with client_of(rate_limit_multiplier=2.0) as client:
        statuses = [(await client.post("/c/abc")).status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]
    async with client_of(rate_limits_enabled=False) as client:
        statuses = [(await client.post("/c/abc")).status_code for _ in range(5)]
    assert statuses == [200] * 5


def test_a_bucket_refills_with_time() -> None:
    now = [0.0]
    buckets = TokenBuckets(RateLimit("/x", per_minute=60, burst=2), clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 1]
    now[0] += 1.0
    assert buckets.take("a") == 0
    assert buckets.take("a") == 1
    now[0] += 60.0
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 1], "never more than the burst"


async def test_signed_in_people_behind_one_address_each_have_their_own_limit() -> None:
    # The portal sends every signed-in person's submissions from its own address.
    async with client_of("10.0.0.5") as portal:
        statuses = [
            (await portal.post(f"/c/{n}", headers=token_of(f"person-{n}"))).status_code
            for n in range(30)
        ]
        assert statuses == [200] * 30
        one = token_of("person-0")
        assert (await portal.post("/c/again", headers=one)).status_code == 200
        refused = await portal.post("/c/again", headers=one)
        assert refused.status_code == 429, "one person past her burst is refused"
        assert refused.headers["retry-after"] == "10"
        assert refused.json()["code"] == "too_many_requests"
        # Her refusal neither spends nor blocks the address's own anonymous bucket.
        anonymous = [(await portal.post("/c/anon")).status_code for _ in range(3)]
        assert anonymous == [200, 200, 429]
    assert calls.count("again") == 1


async def test_a_forged_token_counts_against_its_address() -> None:
    forged = {"Authorization": "Bearer not.a.token"}
    async with client_of() as client:
        statuses = [
            (await client.post("/c/abc", headers=headers)).status_code
            for headers in (forged, {}, forged)
        ]
    assert statuses == [200, 200, 429]


async def test_the_forwarded_address_is_read_only_from_a_trusted_proxy() -> None:
    people = [{"X-Forwarded-For": f"198.51.100.{n}"} for n in range(1, 6)]
    async with client_of("10.0.0.2", forwarded_allow_ips="10.0.0.0/24") as proxy:
        seen = (await proxy.get("/whoami", headers=people[0])).json()["address"]
        assert seen == "198.51.100.1"
        statuses = [(await proxy.post("/c/abc", headers=h)).status_code for h in people]
        assert statuses == [200] * 5, "each client behind the proxy has her own limit"
        repeated = [(await proxy.post("/c/abc", headers=people[1])).status_code for _ in range(2)]
        assert repeated == [200, 429]
    # Anyone else claiming an address is the address it speaks from (the safe default).
    async with client_of("203.0.113.7") as stranger:
        seen = (await stranger.get("/whoami", headers=people[0])).json()["address"]
        assert seen == "203.0.113.7"
        statuses = [(await stranger.post("/c/abc", headers=h)).status_code for h in people[:3]]
        assert statuses == [200, 200, 429]
