"""Questionnaire versions over HTTP, on the real database: an operator uploads a version's
YAML, previews it, publishes it; the quiz then serves it and new responses carry it, while
a response to the earlier version is still read with its own."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from platform_harness import Platform

from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_devtools.diagnosis.versions import new_version_source
from deformations_diagnosis.content.loader import CURRENT_VERSION
from deformations_diagnosis.content.model import Questionnaire

pytestmark = pytest.mark.integration

OPERATOR = {"roles": ("operator",)}
NEW = "2031-06-v1"


def response_body(q: dict[str, Any]) -> dict[str, Any]:
    [(_, submission)] = synthetic_submissions(Questionnaire.model_validate(q), 1, seed=1)
    return {
        "submission_id": str(uuid4()),
        "questionnaire_version": q["version"],
        "answers": {item: list(options) for item, options in submission.answers.items()},
    }


async def test_an_operator_uploads_previews_and_publishes_a_version(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    client, operator = diagnosis.client, diagnosis.auth("op-1", **OPERATOR)
    before = (await client.get("/v1/questionnaires/current")).json()
    old = await client.post("/v1/responses", json=response_body(before))
    assert old.status_code == 201, old.text

    uploaded = await client.post(
        "/v1/questionnaire-versions",
        json={"source": new_version_source(NEW, "Édition 2031")},
        headers=operator,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json() | {"uploaded_at": None} == {
        "version": NEW,
        "title": "Édition 2031",
        "shipped": False,
        "published": False,
        "current": False,
        "uploaded_at": None,
        "published_at": None,
    }
    # A draft is the operators' only: the quiz still serves the current version.
    assert (await client.get(f"/v1/questionnaires/{NEW}")).status_code == 404
    assert (await client.get("/v1/questionnaires/current")).json()["version"] == CURRENT_VERSION
    preview = (await client.get(f"/v1/questionnaire-versions/{NEW}", headers=operator)).json()
    assert preview["questionnaire"]["title"] == "Édition 2031"
    assert preview["questionnaire"]["items"] == before["items"]

    published = await client.post(f"/v1/questionnaire-versions/{NEW}/publish", headers=operator)
    assert published.status_code == 200, published.text
    assert published.json()["current"] is True
    current = (await client.get("/v1/questionnaires/current")).json()
    assert (current["version"], current["title"]) == (NEW, "Édition 2031")
    assert (await client.get("/v1/questionnaires")).json()["current"] == NEW
    stored = await diagnosis.runtime.pool.fetchrow(
        "SELECT uploaded_by, published_by FROM questionnaire_versions WHERE version = $1", NEW
    )
    assert dict(stored) == {"uploaded_by": "op-1", "published_by": "op-1"}

    new = await client.post("/v1/responses", json=response_body(current))
    assert new.status_code == 201, new.text
    assert new.json()["questionnaire_version"] == NEW
    again = (await client.get(f"/v1/responses/{old.json()['response_id']}")).json()
    assert again["questionnaire_version"] == CURRENT_VERSION
    assert again["summary"] is not None

    listed = (await client.get("/v1/questionnaire-versions", headers=operator)).json()
    assert [(v["version"], v["current"]) for v in listed["versions"]] == [
        (NEW, True),
        (CURRENT_VERSION, False),
    ]
    taken = await client.post(
        "/v1/questionnaire-versions", json={"source": new_version_source(NEW)}, headers=operator
    )
    assert taken.status_code == 409
    assert taken.headers["content-type"] == "application/problem+json"


async def test_a_bad_file_is_refused_in_french_and_nothing_is_stored(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    client, operator = diagnosis.client, diagnosis.auth("op-1", **OPERATOR)
    broken = new_version_source("2031-07-v1").replace(
        "min_collective_responses: 3", "min_collective_responses: 1"
    )
    refused = await client.post(
        "/v1/questionnaire-versions", json={"source": broken}, headers=operator
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "invalid_questionnaire"
    assert problem["problems"] == ["min_collective_responses : doit valoir au moins 3."]
    assert problem["detail"].startswith("Ce questionnaire n'est pas valable")
    count = await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM questionnaire_versions")
    assert count == 0

    elected = diagnosis.auth("elue", roles=("elected",), authority="217101377")
    forbidden = await client.post(
        "/v1/questionnaire-versions",
        json={"source": new_version_source("2031-07-v1")},
        headers=elected,
    )
    assert forbidden.status_code == 403
    assert (
        await client.post("/v1/questionnaire-versions", json={"source": "x"})
    ).status_code == 401
    assert (
        await client.get("/v1/questionnaire-versions/2031-07-v1", headers=operator)
    ).status_code == 404
