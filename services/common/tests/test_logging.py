import json
import logging

import httpx
import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind

from deformations_common.logging import (
    REDACTED,
    add_trace_context,
    configure_logging,
    redact_personal_data,
    scrub_url,
)
from deformations_common.service import ServiceDefinition, create_app
from deformations_common.settings import Environment, ServiceSettings
from deformations_devtools.testing import Traces


def test_personal_data_is_redacted() -> None:
    event = {
        "event": "notifications.mail_sent to marie.dupont@example.org",
        "email": "marie.dupont@example.org",
        "phone": "06 12 34 56 78",
        "detail": {"note": "call 06.12.34.56.78", "person_id": "p-1"},
        "siren": "217500016",
    }
    out = redact_personal_data(None, "info", dict(event))
    assert out["email"] == REDACTED and out["phone"] == REDACTED
    assert "marie.dupont" not in out["event"]
    assert out["detail"] == {"note": f"call {REDACTED}", "person_id": "p-1"}
    assert out["siren"] == "217500016"


def test_lines_logged_in_a_span_name_its_trace() -> None:
    assert add_trace_context(None, "info", {"event": "outside"}) == {"event": "outside"}
    tracer = TracerProvider(shutdown_on_exit=False).get_tracer("test")
    with tracer.start_as_current_span("handling") as span:
        out = add_trace_context(None, "info", {"event": "inside"})
    context = span.get_span_context()
    assert out["trace_id"] == f"{context.trace_id:032x}"
    assert out["span_id"] == f"{context.span_id:016x}"


def test_urls_lose_their_secrets() -> None:
    assert (
        scrub_url("/v1/unsubscribe?token=abc.def&lang=fr")
        == f"/v1/unsubscribe?token={REDACTED}&lang=fr"
    )
    assert scrub_url("https://x.org/cb?state=s1&code=c2") == (
        f"https://x.org/cb?state={REDACTED}&code={REDACTED}"
    )
    assert scrub_url("amqp://svc:s3cret@rabbit:5672/") == "amqp://svc:***@rabbit:5672/"
    assert scrub_url("/v1/campaigns?page=2") == "/v1/campaigns?page=2"


def test_standard_library_logs_pass_the_same_redaction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", json=True)
    try:
        logging.getLogger("uvicorn.error").warning(
            "GET /v1/relay/reply?token=%s from %s", "tok-123", "marie.dupont@example.org"
        )
        try:
            raise ConnectionError("refused for jean.martin@example.org")
        except ConnectionError:
            logging.getLogger("asyncpg.pool").exception("reconnect to postgresql://a:pw@db/x")
    finally:
        # Both wrote to this test's captured stderr, closed after it.
        logging.basicConfig(force=True)
        structlog.reset_defaults()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert [line["logger"] for line in lines] == ["uvicorn.error", "asyncpg.pool"]
    text = json.dumps(lines)
    for secret in ("tok-123", "marie.dupont", "jean.martin", ":pw@"):
        assert secret not in text
    assert lines[0]["level"] == "warning" and "token=[redacted]" in lines[0]["event"]
    assert "ConnectionError" in lines[1]["exception"]


async def test_request_spans_carry_no_query_string_token(traces: Traces) -> None:
    settings = ServiceSettings(environment=Environment.TEST, service_name="traced")
    app = create_app(
        ServiceDefinition(settings=settings, title="t", tracer_provider=traces.provider("t"))
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        await client.get("/asyncapi.json?token=tok-456&code=c-789&page=2")
    (span,) = [s for s in traces.spans() if s.kind is SpanKind.SERVER]
    values = json.dumps({k: str(v) for k, v in (span.attributes or {}).items()})
    assert "tok-456" not in values and "c-789" not in values
    assert "page=2" in values, values
