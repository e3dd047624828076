"""Questionnaires, responses, erasure and calibration over HTTP, on the real broker and DB."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from platform_harness import Platform

from deformations_common.codec import encode
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_contracts.events.people import PersonErasureRequested
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_devtools.testing import wait_until
from deformations_diagnosis.content.loader import CURRENT_VERSION, load_questionnaire

from ..conftest import start_at  # noqa: TID252 (shared helpers)

pytestmark = pytest.mark.integration


def bodies(n: int, seed: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "submission_id": str(uuid4()),
            "questionnaire_version": s.questionnaire_version,
            "answers": {item: list(options) for item, options in s.answers.items()},
        }
        for _, s in synthetic_submissions(load_questionnaire(), n, seed=seed)
    ]


async def test_the_questionnaire_is_served_current_and_by_version(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    versions = (await diagnosis.client.get("/v1/questionnaires")).json()
    assert versions["current"] == CURRENT_VERSION
    assert CURRENT_VERSION in versions["available"]
    current = (await diagnosis.client.get("/v1/questionnaires/current")).json()
    assert current["version"] == CURRENT_VERSION
    assert 20 <= len(current["items"]) <= 30
    same = await diagnosis.client.get(f"/v1/questionnaires/{CURRENT_VERSION}")
    assert same.json() == current
    missing = await diagnosis.client.get("/v1/questionnaires/1999-01-v1")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    openapi = (await diagnosis.client.get("/openapi.json")).json()
    assert {"/v1/responses", "/v1/campaigns", "/v1/calibration"} <= set(openapi["paths"])
    assert "/quiz" not in openapi["paths"]


async def test_a_result_is_read_back_as_stored(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    [body] = bodies(1)
    created = await diagnosis.client.post("/v1/responses", json=body)
    assert created.status_code == 201
    out = created.json()
    again = await diagnosis.client.get(f"/v1/responses/{out['response_id']}")
    assert again.json()["result"] == out["result"]
    assert out["result_page"] == f"/resultats/{out['response_id']}"
    assert (await diagnosis.client.get(f"/v1/responses/{uuid4()}")).status_code == 404


async def test_a_response_is_stored_and_published_at_the_services_time(
    platform: Platform,
) -> None:
    clock = ManualClock(datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    diagnosis = await start_at(platform, clock)
    completed = await platform.tap(DiagnosisCompleted.routing_key)
    [body] = bodies(1)
    created = (await diagnosis.client.post("/v1/responses", json=body)).json()
    stored = await diagnosis.runtime.pool.fetchval(
        "SELECT created_at FROM responses WHERE id = $1", UUID(created["response_id"])
    )
    assert stored == clock.now

    async def published() -> bool:
        message = await completed.get(fail=False)
        if message is None:
            return False
        await message.ack()
        event = json.loads(message.body)
        assert event["response_id"] == created["response_id"]
        assert event["completed_at"] == "2026-11-26T09:30:00Z"
        return True

    await wait_until(published, what="the completed event")


@pytest.mark.parametrize(
    "change",
    [
        {"answers": {"mandat": ["maire", "adjoint"]}},
        {"answers": {"mandat": ["pas-une-option"]}},
        {"answers": {"mandat": ["x" * 41]}},
        {"answers": {"mandat": ["maire"] * 31}},
        {"submission_id": "not-a-uuid"},
        {"commune_insee": "1234"},
        {"campaign_token": "short"},
    ],
)
async def test_malformed_submissions_are_refused_with_a_problem(
    platform: Platform, change: dict[str, Any]
) -> None:
    diagnosis = await platform.start("diagnosis")
    [body] = bodies(1)
    if "answers" in change:
        change = {"answers": {**body["answers"], **change["answers"]}}
    response = await diagnosis.client.post("/v1/responses", json={**body, **change})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses") == 0


async def test_an_erasure_request_detaches_the_persons_responses(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    first, second = bodies(2)
    person = f"person-{uuid4().hex[:8]}"
    await diagnosis.client.post("/v1/responses", json=first, headers=diagnosis.auth(person))
    await diagnosis.client.post("/v1/responses", json=second, headers=diagnosis.auth("other"))
    pool = diagnosis.runtime.pool
    assert await pool.fetchval("SELECT count(*) FROM responses WHERE person_id = $1", person) == 1

    # Published on the broker by the portal, its only declared producer.
    request = PersonErasureRequested(person_id=person, requested_at=datetime.now(UTC))
    await platform.publish(encode(request, source="portal"))

    async def erased() -> bool:
        n = await pool.fetchval("SELECT count(*) FROM responses WHERE person_id = $1", person)
        return bool(n == 0)

    await wait_until(erased, what="the person's responses detached")
    assert await pool.fetchval("SELECT count(*) FROM responses") == 2
    assert await pool.fetchval("SELECT count(*) FROM responses WHERE person_id = 'other'") == 1


async def test_operators_get_a_calibration_report_from_enough_responses(
    platform: Platform,
) -> None:
    diagnosis = await platform.start("diagnosis")
    operator = diagnosis.auth("op", roles=("operator",))
    few = await diagnosis.client.get("/v1/calibration", headers=operator)
    assert few.status_code == 409
    assert few.json()["code"] == "not_enough_responses"
    for body in bodies(24, seed=7):
        assert (await diagnosis.client.post("/v1/responses", json=body)).status_code == 201
    trainer = diagnosis.auth("t", roles=("trainer",))
    assert (await diagnosis.client.get("/v1/calibration", headers=trainer)).status_code == 403
    report = await diagnosis.client.get("/v1/calibration", headers=operator)
    assert report.status_code == 200, report.text
    assert report.json()["respondents"] == 24
    assert sum(report.json()["family_counts"].values()) == 24

    # The command reads the same responses from the service's database.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "deformations_diagnosis.calibration_cli",
        "--database-url",
        platform.database_url,
        "--schema",
        diagnosis.settings.schema_name,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    assert json.loads(out) == report.json()


async def test_signed_in_submissions_are_limited_per_person_not_per_address(
    platform: Platform,
) -> None:
    # Every signed-in quiz comes through the portal, from one address.
    diagnosis = await platform.start("diagnosis", rate_limits_enabled=True)
    submitted = bodies(52)
    statuses = [
        (
            await diagnosis.client.post(
                "/v1/responses", json=body, headers=diagnosis.auth(f"elu-{n}")
            )
        ).status_code
        for n, body in enumerate(submitted[:30])
    ]
    assert statuses == [201] * 30, "a room of élus answering together"
    busy = diagnosis.auth("elu-busy")
    mine = [
        (await diagnosis.client.post("/v1/responses", json=b, headers=busy)).status_code
        for b in submitted[30:41]
    ]
    assert mine == [201] * 10 + [429], "one person past her burst of 10"
    refused = await diagnosis.client.post("/v1/responses", json=submitted[41], headers=busy)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["code"] == "too_many_requests"
    anonymous = [
        (await diagnosis.client.post("/v1/responses", json=b)).status_code for b in submitted[41:52]
    ]
    assert anonymous == [201] * 10 + [429], "anonymous answers: per address, as before"
    stored = await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses")
    assert stored == 50
