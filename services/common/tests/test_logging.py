from opentelemetry.sdk.trace import TracerProvider

from deformations_common.logging import REDACTED, add_trace_context, redact_personal_data


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
