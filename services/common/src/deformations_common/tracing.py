"""OpenTelemetry traces across HTTP requests and events.

A trace crosses the broker in the ``traceparent`` extension attribute of the CloudEvent
(``ce-traceparent``, W3C Trace Context, as in the CloudEvents distributed tracing
extension): ``outbox.enqueue`` stores the context of the span current in the caller (the
HTTP request's SERVER span, or the CONSUMER span of the event being handled), the relay
publishes it with the other attributes, and the consumer starts the CONSUMER span of
each event as its child.

Tracing is configured once per process from the standard ``OTEL_*`` environment
variables (``configure``). Without an OTLP endpoint, or with ``OTEL_SDK_DISABLED=true``,
no SDK is installed: the runtime then creates no span at all, and an event's
``traceparent`` is passed on to its follow-ups unchanged. Tests give each service a
tracer provider of their own (``ServiceDefinition.tracer_provider``) and change nothing
global: the global provider can be set only once per process.
"""

import os
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.environment_variables import (
    OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    OTEL_SDK_DISABLED,
)
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.semconv._incubating.attributes import cloudevents_attributes as ce
from opentelemetry.semconv._incubating.attributes import messaging_attributes as messaging
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from deformations_common.logging import scrub_url
from deformations_contracts.cloudevents import HEADER_PREFIX

INSTRUMENTATION = "deformations_common"
TRACEPARENT = "traceparent"
TRACEPARENT_HEADER = f"{HEADER_PREFIX}{TRACEPARENT}"
# The span attribute telling how the handling of an event ended (see consumer.py):
# handled, duplicate, or one of the failures.
OUTCOME = "deformations.outcome"
FAILED_OUTCOMES = frozenset({"invalid", "rejected", "retried", "exhausted"})
# Operations endpoints are polled all the time and tell nothing about a request's path.
EXCLUDED_URLS = "/healthz$,/readyz$,/metrics$"

# Span attributes read from the CloudEvents headers of a delivery.
_HEADER_ATTRIBUTES = (
    (f"{HEADER_PREFIX}id", messaging.MESSAGING_MESSAGE_ID),
    (f"{HEADER_PREFIX}correlationid", messaging.MESSAGING_MESSAGE_CONVERSATION_ID),
    (f"{HEADER_PREFIX}source", ce.CLOUDEVENTS_EVENT_SOURCE),
    (f"{HEADER_PREFIX}type", ce.CLOUDEVENTS_EVENT_TYPE),
    (f"{HEADER_PREFIX}subject", ce.CLOUDEVENTS_EVENT_SUBJECT),
)
# The CloudEvents extension carries a W3C traceparent whatever OTEL_PROPAGATORS says.
_W3C = TraceContextTextMapPropagator()
_configured: SdkTracerProvider | None = None


def configure(service_name: str) -> SdkTracerProvider | None:
    """The process's tracer provider, from the environment; None when tracing is off.

    On when ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_ENDPOINT`` is
    set and ``OTEL_SDK_DISABLED`` is not ``true``: spans of resource ``service.name`` =
    ``service_name`` are exported in batches over OTLP/HTTP (protobuf). The exporter, the
    batch processor and the sampler read their other ``OTEL_*`` variables themselves.
    The first call installs the provider globally too (for other instrumentation);
    later calls return it.
    """
    global _configured
    if os.environ.get(OTEL_SDK_DISABLED, "").strip().lower() == "true":
        return None
    if not (
        os.environ.get(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
        or os.environ.get(OTEL_EXPORTER_OTLP_ENDPOINT)
    ):
        return None
    if _configured is None:
        # Imported here: the exporter's protobuf and HTTP stacks load only when used.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider = SdkTracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        _configured = provider
    return _configured


def flush(provider: TracerProvider) -> None:
    """Export the spans still buffered (service shutdown); the SDK shuts down at exit."""
    if isinstance(provider, SdkTracerProvider):
        provider.force_flush(timeout_millis=5_000)


def tracer(provider: TracerProvider) -> Tracer:
    return provider.get_tracer(INSTRUMENTATION)


def instrument_http(app: FastAPI, provider: TracerProvider) -> None:
    """A SERVER span per request, child of the request's ``traceparent`` header if any."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls=EXCLUDED_URLS,
        # Spans of each ASGI receive/send add nothing but volume.
        exclude_spans=["receive", "send"],
        server_request_hook=scrub_span_urls,
    )


def scrub_span_urls(span: Span, _scope: Mapping[str, Any] | None = None) -> None:
    """Mask the query-string secrets of a request's span attributes (``url.full``,
    ``url.query``, ``http.target``…): links from e-mails carry their token in the URL,
    and a trace must not hand it to whoever reads the traces."""
    attributes = getattr(span, "attributes", None)
    if not attributes:
        return
    for key, value in list(attributes.items()):
        if isinstance(value, str):
            cleaned = scrub_url(value)
            if cleaned != value:
                span.set_attribute(key, cleaned)


def traceparent_of(span: Span) -> str | None:
    """The W3C traceparent naming ``span`` as the parent; None for an invalid span."""
    if not span.get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    _W3C.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get(TRACEPARENT)


def current_traceparent() -> str | None:
    """The traceparent of the span current in the caller, if there is one."""
    return traceparent_of(trace.get_current_span())


def extract(traceparent: Any) -> Context:
    """The context of a ``traceparent`` header value; an empty one (a new trace) when it
    is missing or malformed."""
    if isinstance(traceparent, bytes | bytearray):
        traceparent = traceparent.decode("ascii", "replace")
    if not isinstance(traceparent, str):
        return Context()
    return _W3C.extract({TRACEPARENT: traceparent}, context=Context())


def start_process_span(
    tracer: Tracer, *, exchange: str, routing_key: str, queue: str, headers: Mapping[str, Any]
) -> Span:
    """The CONSUMER span of one delivery, child of its event's traceparent.

    Attributes follow the messaging semantic conventions for a RabbitMQ process span,
    with the CloudEvents ones read from the headers (the message may be invalid)."""
    attributes: dict[str, str] = {
        messaging.MESSAGING_SYSTEM: messaging.MessagingSystemValues.RABBITMQ.value,
        messaging.MESSAGING_OPERATION_TYPE: messaging.MessagingOperationTypeValues.PROCESS.value,
        messaging.MESSAGING_OPERATION_NAME: "process",
        messaging.MESSAGING_DESTINATION_NAME: f"{exchange}:{routing_key}:{queue}",
        messaging.MESSAGING_DESTINATION_SUBSCRIPTION_NAME: queue,
        messaging.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY: routing_key,
    }
    for header, attribute in _HEADER_ATTRIBUTES:
        value = headers.get(header)
        if isinstance(value, bytes | bytearray):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            attributes[attribute] = value
    return tracer.start_span(
        f"process {queue}",
        context=extract(headers.get(TRACEPARENT_HEADER)),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    )


def record_failure(span: Span | None, exc: BaseException, error_type: str) -> None:
    """Note on the event's span why its handling failed (no-op without a span)."""
    if span is None:
        return
    span.record_exception(exc)
    span.set_attribute(ERROR_TYPE, error_type)


def set_outcome(span: Span, outcome: str) -> None:
    span.set_attribute(OUTCOME, outcome)
    if outcome in FAILED_OUTCOMES:
        span.set_status(Status(StatusCode.ERROR, outcome))
