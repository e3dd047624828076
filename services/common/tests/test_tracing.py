"""Traces across HTTP → outbox → broker → consumer → follow-up events, on the real broker
and database, with the spans of each service kept in memory (the ``traces`` fixture)."""

import asyncio
import json
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import pytest
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from opentelemetry.trace import SpanContext, SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import REGISTRY
from runtime_harness import REJECTED_N, Harness, ping, standard_headers

from deformations_common import tracing
from deformations_common.codec import OutgoingMessage, encode
from deformations_devtools.testing import Traces, wait_until

pytestmark = pytest.mark.integration

QUEUE = "ponger.test.pinged.v1"


def new_traceparent() -> str:
    """A sampled W3C traceparent of a caller that is not one of the services."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def parsed(traceparent: Any) -> SpanContext:
    if isinstance(traceparent, bytes):
        traceparent = traceparent.decode()
    context = TraceContextTextMapPropagator().extract({"traceparent": str(traceparent)})
    span_context = trace.get_current_span(context).get_span_context()
    assert span_context.is_valid, f"not a traceparent: {traceparent!r}"
    return span_context


def process_spans(traces: Traces, event_id: object) -> list[ReadableSpan]:
    """The CONSUMER spans of the event ``event_id``, in the order they ended."""
    return [
        s
        for s in traces.spans()
        if s.kind is SpanKind.CONSUMER
        and (s.attributes or {}).get("messaging.message.id") == str(event_id)
    ]


async def process_span(traces: Traces, event_id: object) -> ReadableSpan:
    await wait_until(
        lambda: len(process_spans(traces, event_id)) == 1, what=f"the span of {event_id}"
    )
    [span] = process_spans(traces, event_id)
    return span


def message_ping_id(message: OutgoingMessage) -> UUID:
    return UUID(json.loads(message.body)["ping_id"])


def parent_id(span: ReadableSpan) -> int:
    assert span.parent is not None, f"{span.name} has no parent"
    return span.parent.span_id


def batch_count() -> float:
    labels = {"service": "ponger", "routing_key": "test.pinged.v1"}
    return REGISTRY.get_sample_value("deformations_event_batch_size_count", labels) or 0.0


async def taken(
    queue: aio_pika.abc.AbstractQueue, n: int
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """The first ``n`` messages that reach ``queue``."""
    messages: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def all_there() -> bool:
        while len(messages) < n and (message := await queue.get(fail=False)) is not None:
            await message.ack()
            messages.append(message)
        return len(messages) == n

    await wait_until(all_there, what=f"{n} message(s) on the tap")
    return messages


async def test_an_http_request_traces_through_the_outbox_to_the_consumer(
    harness: Harness, traces: Traces
) -> None:
    consumer = await harness.start_consumer(tracer_provider=traces.provider("ponger"))
    producer = await harness.start_producer(tracer_provider=traces.provider("pinger"))
    tap = await harness.tap("test.pinged.v1")
    caller = parsed(incoming := new_traceparent())

    response = await producer.client.post(
        "/pings", json={"n": 1}, headers={"traceparent": incoming}
    )
    assert response.status_code == 201, response.text
    event_id = response.json()["event_id"]
    process = await process_span(traces, event_id)

    [server] = [s for s in traces.spans() if s.kind is SpanKind.SERVER]
    assert server.name == "POST /pings"
    assert server.resource.attributes["service.name"] == "pinger"
    assert server.context.trace_id == caller.trace_id
    assert parent_id(server) == caller.span_id
    # The consumer's span is a child of the request's, in the same trace.
    assert process.context.trace_id == caller.trace_id
    assert parent_id(process) == server.context.span_id
    assert process.resource.attributes["service.name"] == "ponger"
    queue = f"{consumer.settings.queue_prefix}{QUEUE}"
    assert process.name == f"process {queue}"
    attributes = process.attributes or {}
    assert attributes["messaging.system"] == "rabbitmq"
    assert attributes["messaging.operation.type"] == "process"
    assert attributes["messaging.destination.subscription.name"] == queue
    assert attributes["messaging.destination.name"] == (
        f"{consumer.settings.events_exchange}:test.pinged.v1:{queue}"
    )
    assert attributes["cloudevents.event_type"] == "fr.deformations.test.pinged.v1"
    assert attributes["deformations.outcome"] == "handled"
    assert process.status.status_code is StatusCode.UNSET
    # On the wire, the event names the request's span as its parent.
    [message] = await taken(tap, 1)
    assert message.headers is not None
    on_the_wire = parsed(message.headers["ce-traceparent"])
    assert (on_the_wire.trace_id, on_the_wire.span_id) == (caller.trace_id, server.context.span_id)


async def test_operations_endpoints_are_not_traced(harness: Harness, traces: Traces) -> None:
    producer = await harness.start_producer(tracer_provider=traces.provider("pinger"))
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await producer.client.get(path)).status_code == 200
    response = await producer.client.post("/pings", json={"n": 1})
    assert response.status_code == 201
    assert [s.name for s in traces.spans() if s.kind is SpanKind.SERVER] == ["POST /pings"]


async def test_a_follow_up_event_is_a_child_of_the_consumer_span(
    harness: Harness, traces: Traces
) -> None:
    harness.behaviour.follow_up = True
    await harness.start_consumer(tracer_provider=traces.provider("ponger"))
    tap = await harness.tap("test.ponged.v1")
    caller = parsed(incoming := new_traceparent())
    message = encode(ping(1), source="pinger", traceparent=incoming)
    await harness.publish_raw(message.body, dict(message.headers))

    process = await process_span(traces, message.event_id)
    assert process.context.trace_id == caller.trace_id
    assert parent_id(process) == caller.span_id
    assert harness.behaviour.spans[message_ping_id(message)].span_id == process.context.span_id
    [follow_up] = await taken(tap, 1)
    assert follow_up.headers is not None
    assert follow_up.headers["ce-causationid"] == str(message.event_id)
    parent = parsed(follow_up.headers["ce-traceparent"])
    assert (parent.trace_id, parent.span_id) == (caller.trace_id, process.context.span_id)


async def test_events_of_a_shared_transaction_each_have_their_own_span(
    harness: Harness, traces: Traces
) -> None:
    harness.behaviour.follow_up = True
    harness.behaviour.hold = asyncio.Event()
    consumer = await harness.start_consumer(
        batchable=True, consumer_transactions=1, tracer_provider=traces.provider("ponger")
    )
    tap = await harness.tap("test.ponged.v1")
    first = encode(ping(0), source="pinger", traceparent=new_traceparent())
    await harness.publish_raw(first.body, dict(first.headers))
    await wait_until(lambda: len(harness.behaviour.calls) == 1, what="the first event held")
    # Delivered while the only transaction slot is held: they are handled together.
    pings = {(event := ping(n)).ping_id: (event, new_traceparent()) for n in range(1, 6)}
    messages = {
        ping_id: encode(event, source="pinger", traceparent=traceparent)
        for ping_id, (event, traceparent) in pings.items()
    }
    for message in messages.values():
        await harness.publish_raw(message.body, dict(message.headers))
    queue = f"{consumer.settings.queue_prefix}{QUEUE}"
    await wait_until(
        lambda: _none_ready(harness, queue), what="every event delivered to the consumer"
    )
    batches_before = batch_count()
    harness.behaviour.hold.set()

    follow_ups = await taken(tap, 6)
    assert batch_count() > batches_before, "the events did not share a transaction"
    parents = {}
    for follow_up in follow_ups:
        assert follow_up.headers is not None
        parents[str(follow_up.headers["ce-subject"])] = parsed(follow_up.headers["ce-traceparent"])
    for ping_id, (_, traceparent) in pings.items():
        caller = parsed(traceparent)
        process = await process_span(traces, messages[ping_id].event_id)
        assert process.context.trace_id == caller.trace_id
        assert parent_id(process) == caller.span_id
        assert (process.attributes or {})["deformations.outcome"] == "handled"
        # The handler ran in its event's span, whichever task ran the transaction.
        assert harness.behaviour.spans[ping_id].span_id == process.context.span_id
        parent = parents[str(ping_id)]
        assert (parent.trace_id, parent.span_id) == (caller.trace_id, process.context.span_id)


async def _none_ready(harness: Harness, queue: str) -> bool:
    return await harness.ready(queue) == 0


@pytest.mark.parametrize("traceparent", [None, "not-a-traceparent"])
async def test_an_event_without_a_usable_traceparent_starts_a_new_trace(
    harness: Harness, traces: Traces, traceparent: str | None
) -> None:
    harness.behaviour.follow_up = True
    await harness.start_consumer(tracer_provider=traces.provider("ponger"))
    tap = await harness.tap("test.ponged.v1")
    message = encode(ping(1), source="pinger", traceparent=traceparent)
    await harness.publish_raw(message.body, dict(message.headers))

    process = await process_span(traces, message.event_id)
    assert process.parent is None
    assert process.context.is_valid
    assert (process.attributes or {})["deformations.outcome"] == "handled"
    [follow_up] = await taken(tap, 1)
    assert follow_up.headers is not None
    parent = parsed(follow_up.headers["ce-traceparent"])
    assert (parent.trace_id, parent.span_id) == (process.context.trace_id, process.context.span_id)


async def test_events_that_fail_have_error_spans_in_their_trace(
    harness: Harness, traces: Traces
) -> None:
    await harness.start_consumer(tracer_provider=traces.provider("ponger"))
    schema_invalid = {**standard_headers(), "ce-traceparent": new_traceparent()}
    rejected = {**standard_headers(), "ce-traceparent": new_traceparent()}
    await harness.publish_raw(json.dumps({"ping_id": "x", "n": -1}).encode(), schema_invalid)
    await harness.publish_raw(
        json.dumps({"ping_id": str(uuid4()), "n": REJECTED_N}).encode(), rejected
    )

    for headers, outcome, error_type in (
        (schema_invalid, "invalid", "schema"),
        (rejected, "rejected", "rejected"),
    ):
        span = await process_span(traces, headers["ce-id"])
        caller = parsed(headers["ce-traceparent"])
        assert span.context.trace_id == caller.trace_id
        assert parent_id(span) == caller.span_id
        attributes = span.attributes or {}
        assert attributes["deformations.outcome"] == outcome
        assert attributes["error.type"] == error_type
        assert span.status.status_code is StatusCode.ERROR
        assert [e.name for e in span.events] == ["exception"]


async def test_a_retried_event_is_traced_once_per_attempt(harness: Harness, traces: Traces) -> None:
    await harness.start_consumer(tracer_provider=traces.provider("ponger"))
    event = ping(1)
    harness.behaviour.failures_left[event.ping_id] = 1
    caller = parsed(incoming := new_traceparent())
    message = encode(event, source="pinger", traceparent=incoming)
    await harness.publish_raw(message.body, dict(message.headers))

    await wait_until(lambda: len(process_spans(traces, message.event_id)) == 2, what="two attempts")
    failed, handled = process_spans(traces, message.event_id)
    assert (failed.attributes or {})["deformations.outcome"] == "retried"
    assert (failed.attributes or {})["error.type"] == "ConnectionError"
    assert failed.status.status_code is StatusCode.ERROR
    assert (handled.attributes or {})["deformations.outcome"] == "handled"
    assert handled.status.status_code is StatusCode.UNSET
    # The retry carries the event's traceparent: both attempts are children of its caller.
    for attempt in (failed, handled):
        assert attempt.context.trace_id == caller.trace_id
        assert parent_id(attempt) == caller.span_id


async def test_without_tracing_follow_ups_pass_the_traceparent_on(harness: Harness) -> None:
    harness.behaviour.follow_up = True
    await harness.start_consumer()
    tap = await harness.tap("test.ponged.v1")
    incoming = new_traceparent()
    message = encode(ping(1), source="pinger", traceparent=incoming)
    await harness.publish_raw(message.body, dict(message.headers))

    [follow_up] = await taken(tap, 1)
    assert follow_up.headers is not None
    assert follow_up.headers["ce-traceparent"] == incoming


ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def test_without_an_endpoint_no_sdk_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ENDPOINTS, "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    assert tracing.configure("ponger") is None
    assert not isinstance(trace.get_tracer_provider(), SdkTracerProvider)
    assert not trace.get_tracer("probe").start_span("probe").is_recording()


def test_the_sdk_can_be_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert tracing.configure("ponger") is None
    assert not isinstance(trace.get_tracer_provider(), SdkTracerProvider)


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that keeps the requests it gets."""

    received: list[tuple[str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    received: list[tuple[str, bytes]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


EXPORTING = """
from opentelemetry import trace
from deformations_common import tracing

provider = tracing.configure("diagnosis")
assert provider is not None and trace.get_tracer_provider() is provider
assert tracing.configure("diagnosis") is provider, "configured once per process"
with tracing.tracer(provider).start_as_current_span("probe"):
    pass
tracing.flush(provider)
"""


def test_with_an_endpoint_spans_are_exported_over_otlp_http(
    collector: tuple[str, list[tuple[str, bytes]]],
) -> None:
    # In a process of its own: configure() installs the provider globally, for good.
    endpoint, received = collector
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
    subprocess.run([sys.executable, "-c", EXPORTING], env=env, check=True, timeout=120)

    assert [path for path, _ in received] == ["/v1/traces"]
    request = ExportTraceServiceRequest.FromString(received[0][1])
    [resource_spans] = request.resource_spans
    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert resource["service.name"] == "diagnosis"
    assert [s.name for scope in resource_spans.scope_spans for s in scope.spans] == ["probe"]
