"""The thin slice through the real backbone: quiz submitted over HTTP on diagnosis →
``diagnosis.completed.v1`` on the broker → a pending notification for that person."""

import json
from pathlib import Path
from uuid import uuid4

import jsonschema
import pytest
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind
from platform_harness import Platform

from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_devtools.testing import Traces, wait_until
from deformations_diagnosis.content.loader import load_questionnaire

pytestmark = pytest.mark.integration

SCHEMAS = Path(__file__).parents[1] / "contracts" / "schemas"


def a_submission(seed: int = 1) -> dict[str, object]:
    _, submission = synthetic_submissions(load_questionnaire(), 1, seed=seed)[0]
    return {
        "submission_id": str(uuid4()),
        "questionnaire_version": submission.questionnaire_version,
        "answers": {item: list(options) for item, options in submission.answers.items()},
    }


async def pending_for(platform: Platform, person: str) -> list[dict[str, object]]:
    notifications = platform.services["notifications"]
    response = await notifications.client.get(
        "/v1/me/notifications", headers=notifications.auth(person)
    )
    assert response.status_code == 200
    notifications_list: list[dict[str, object]] = response.json()
    return notifications_list


async def test_a_quiz_submission_ends_as_a_pending_notification(platform: Platform) -> None:
    await platform.start("notifications")
    diagnosis = await platform.start("diagnosis")
    tap = await platform.tap("diagnosis.completed.v1")
    person = f"person-{uuid4().hex[:8]}"

    submitted = await diagnosis.client.post(
        "/v1/responses", json=a_submission(), headers=diagnosis.auth(person, roles=("elected",))
    )
    assert submitted.status_code == 201, submitted.text
    response_id = submitted.json()["response_id"]

    async def notified() -> bool:
        return len(await pending_for(platform, person)) == 1

    await wait_until(notified, what="the pending notification")
    [notification] = await pending_for(platform, person)
    assert notification["status"] == "pending"
    assert notification["event_type"] == "diagnosis.completed.v1"
    assert notification["payload"]["response_id"] == response_id  # type: ignore[index]

    # The event on the wire is a CloudEvent the official SDK reads, valid against its schema.
    message = await tap.get(timeout=10)
    event = from_binary(
        RabbitMQMessage(
            {k: str(v) for k, v in (message.headers or {}).items()},
            message.content_type,
            message.body,
        ),
        JSONFormat(),
    )
    assert event.get_type() == "fr.deformations.diagnosis.completed.v1"
    assert event.get_source() == "diagnosis"
    assert event.get_subject() == response_id
    schema = json.loads((SCHEMAS / "diagnosis.completed.v1.json").read_text())
    jsonschema.validate(event.get_data(), schema)
    assert event.get_data()["person_id"] == person


async def test_the_notification_is_traced_back_to_the_quiz_submission(
    platform: Platform, traces: Traces
) -> None:
    notifications = await platform.start(
        "notifications", tracer_provider=traces.provider("notifications")
    )
    diagnosis = await platform.start("diagnosis", tracer_provider=traces.provider("diagnosis"))
    trace_id, caller_span_id = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
    person = f"person-{uuid4().hex[:8]}"

    submitted = await diagnosis.client.post(
        "/v1/responses",
        json=a_submission(4),
        headers={
            **diagnosis.auth(person, roles=("elected",)),
            "traceparent": f"00-{trace_id}-{caller_span_id}-01",
        },
    )
    assert submitted.status_code == 201, submitted.text
    queue = f"{notifications.settings.queue_prefix}notifications.diagnosis.completed.v1"

    def consumed() -> list[ReadableSpan]:
        return [s for s in traces.spans() if s.name == f"process {queue}"]

    await wait_until(lambda: len(consumed()) == 1, what="the notifications span")
    [server] = [s for s in traces.spans() if s.kind is SpanKind.SERVER]
    [process] = consumed()
    assert server.name == "POST /v1/responses"
    assert server.resource.attributes["service.name"] == "diagnosis"
    assert server.parent is not None and f"{server.parent.span_id:016x}" == caller_span_id
    assert process.resource.attributes["service.name"] == "notifications"
    assert f"{process.context.trace_id:032x}" == trace_id
    assert process.parent is not None and process.parent.span_id == server.context.span_id
    assert (process.attributes or {})["deformations.outcome"] == "handled"


async def test_a_replayed_submission_is_refused_and_notifies_once(platform: Platform) -> None:
    await platform.start("notifications")
    diagnosis = await platform.start("diagnosis")
    person = f"person-{uuid4().hex[:8]}"
    body = a_submission(seed=2)
    headers = diagnosis.auth(person)
    assert (
        await diagnosis.client.post("/v1/responses", json=body, headers=headers)
    ).status_code == 201
    replay = await diagnosis.client.post("/v1/responses", json=body, headers=headers)
    assert replay.status_code == 409
    assert replay.headers["content-type"] == "application/problem+json"
    assert replay.json()["code"] == "submission_replayed"
    # A later submission of the same person is notified too: the replay was not.
    assert (
        await diagnosis.client.post("/v1/responses", json=a_submission(3), headers=headers)
    ).status_code == 201

    async def two() -> bool:
        return len(await pending_for(platform, person)) == 2

    await wait_until(two, what="two notifications")
    count = await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses")
    assert count == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"questionnaire_version": "1999-v0"}, "unknown_version"),
        ({"answers": {"no-such-item": ["x"]}}, "unknown_item"),
        ({"answers": {}}, "missing_answer"),
    ],
)
async def test_bad_submissions_get_a_clear_error_and_store_nothing(
    platform: Platform, change: dict[str, object], code: str
) -> None:
    diagnosis = await platform.start("diagnosis")
    body = {**a_submission(), **change}
    if code == "unknown_item":
        body["answers"] = {**a_submission()["answers"], **change["answers"]}  # type: ignore[dict-item]
    response = await diagnosis.client.post("/v1/responses", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses") == 0
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM outbox") == 0
