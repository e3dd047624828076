"""« Mes diagnostics » over HTTP: a signed-in person's responses, on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from platform_harness import Platform

from deformations_common.vocabulary.clock import ManualClock

from ..conftest import start_at  # noqa: TID252 (shared helpers)
from .test_responses import bodies

pytestmark = pytest.mark.integration


async def test_her_responses_newest_first_with_summaries_and_progress(platform: Platform) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    diagnosis = await start_at(platform, clock)
    first, anonymous, someone_else, second = bodies(4, seed=5)
    mine = diagnosis.auth("elue-42")
    created = []
    for body, headers in (
        (first, mine),
        (anonymous, {}),
        (someone_else, diagnosis.auth("elu-7")),
        (second, mine),
    ):
        answer = await diagnosis.client.post("/v1/responses", json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        created.append(answer.json())
        clock.advance(timedelta(days=40))

    listed = await diagnosis.client.get("/v1/me/responses", headers=mine)

    assert listed.status_code == 200
    out = listed.json()
    assert [r["response_id"] for r in out["responses"]] == [
        created[3]["response_id"],
        created[0]["response_id"],
    ]
    newest = out["responses"][0]
    assert newest["completed_at"].startswith("2026-06-30T09:30:00")
    assert newest["questionnaire_version"] == second["questionnaire_version"]
    assert newest["summary"]["family"] == created[3]["result"]["family"]
    scores = {a["code"]: a["score"] for a in newest["summary"]["axes"]}
    assert scores == {k: round(v, 1) for k, v in created[3]["result"]["axis_scores"].items()}
    progress = out["progress"]
    assert progress["since"].startswith("2026-03-02T09:30:00")
    for axis in progress["axes"]:
        assert axis["after"] == scores[axis["code"]]
        assert axis["change"] == pytest.approx(axis["after"] - axis["before"], abs=0.11)
    # A result read by its id carries the same summary.
    again = await diagnosis.client.get(f"/v1/responses/{created[3]['response_id']}")
    assert again.json()["summary"] == newest["summary"]


async def test_the_listing_needs_a_signed_in_person_and_may_be_empty(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    refused = await diagnosis.client.get("/v1/me/responses")
    assert refused.status_code == 401
    empty = await diagnosis.client.get("/v1/me/responses", headers=diagnosis.auth("nobody"))
    assert empty.json() == {"responses": [], "progress": None}
