"""Where the time of a request comes from: the service's clock (a ``ManualClock`` here,
given through ``ServiceDefinition(clock=…)``), or one request's header outside production."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from starlette.requests import Request

from deformations_common.auth import issue_dev_token
from deformations_common.service import Runtime, create_app
from deformations_common.settings import Environment
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_lending.api.deps import request_clock
from deformations_lending.app import definition
from deformations_lending.settings import LendingSettings

CREST = "212601082"
START = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)  # a Monday, 8 h in Paris
OFFER: dict[str, Any] = {
    "theme": "alimentation",
    "description": "Accompagner une cantine scolaire vers 50 % de produits durables.",
    "agent_role": "Technicienne restauration collective",
    "agent_ref": "restauration-1",
    "capacity_half_days": 2,
    "period": {"start": "2027-03-01", "end": "2027-06-30"},
    "possible_half_days": [{"weekday": 2, "part": "am"}],
    "modality": "on_site",
    "reimbursement": "full_salary",
}


def _settings(
    infra: Infra, database_url: str, namespace: str, environment: Environment
) -> LendingSettings:
    return isolated_settings(
        LendingSettings,
        infra,
        database_url,
        namespace,
        "lending",
        environment=environment,
        jwt_secret="a-test-secret-long-enough-for-hs256-signatures",
    )


def _auth(settings: LendingSettings) -> dict[str, str]:
    token = issue_dev_token(settings, "rh-crest", authority=CREST, roles=["hr"])
    return {"Authorization": f"Bearer {token}"}


async def _published_at(client: httpx.AsyncClient, headers: dict[str, str]) -> datetime:
    response = await client.post("/v1/offers", json=OFFER, headers=headers)
    assert response.status_code == 201, response.text
    return datetime.fromisoformat(response.json()["published_at"])


@pytest.mark.integration
async def test_requests_read_the_service_clock_unless_a_header_sets_theirs(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = _settings(infra, database_url, namespace, Environment.TEST)
    clock = ManualClock(START)
    async with running(create_app(definition(settings, clock=clock))) as client:
        first = await _published_at(client, _auth(settings))
        clock.advance(timedelta(hours=2))
        later = await _published_at(client, _auth(settings))
        given = "2027-04-01T10:30:00+02:00"
        dated = await _published_at(client, {**_auth(settings), "x-deformations-now": given})
        bad = await client.post(
            "/v1/offers", json=OFFER, headers={**_auth(settings), "x-deformations-now": "hier"}
        )

    assert first == START
    assert later == START + timedelta(hours=2)
    assert dated == datetime.fromisoformat(given)
    assert bad.status_code == 422


@pytest.mark.integration
def test_production_ignores_the_clock_header() -> None:
    # Production cannot run on the dev issuer (it fails closed), so the request's clock is
    # checked where it is decided: with production settings, the header sets nothing.
    settings = LendingSettings(
        environment=Environment.PRODUCTION,
        jwt_jwks_url="https://auth.example.org/jwks",
        jwt_issuer="https://auth.example.org",
        jwt_audience="lending",
    )
    request = Request(
        {"type": "http", "headers": [(b"x-deformations-now", b"2030-01-01T00:00:00+00:00")]}
    )
    runtime = cast(Runtime[LendingSettings], SimpleNamespace(settings=settings))
    assert request_clock(request, runtime) is None
