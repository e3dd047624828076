"""CloudEvents 1.0 in the binary content mode of the RabbitMQ protocol binding.

Attributes travel as ``ce-`` headers, the data as the JSON body with content type
``application/json``. Decoding never trusts its input: every defect is an
``InvalidEvent`` whose ``reason`` ends up in the dead-letter headers.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from pydantic import ValidationError

from deformations_contracts.base import EventData
from deformations_contracts.cloudevents import (
    CONTENT_TYPE,
    HEADER_PREFIX,
    SPECVERSION,
    CloudEventAttributes,
)

E = TypeVar("E", bound=EventData)


class InvalidEvent(Exception):
    """A message that can never be handled: malformed, unknown type or schema-invalid."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class OutgoingMessage:
    event_id: UUID
    routing_key: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Envelope:
    attributes: CloudEventAttributes
    data: dict[str, Any]


def encode(
    event: EventData,
    *,
    source: str,
    event_id: UUID | None = None,
    time: datetime | None = None,
    correlationid: str | None = None,
    causationid: str | None = None,
    traceparent: str | None = None,
) -> OutgoingMessage:
    event_id = event_id or uuid4()
    stamp = (time or datetime.now(UTC)).astimezone(UTC)
    attributes: dict[str, str | None] = {
        "id": str(event_id),
        "source": source,
        "type": event.event_type(),
        "specversion": SPECVERSION,
        "time": stamp.isoformat().replace("+00:00", "Z"),
        "subject": event.subject(),
        "dataschema": event.dataschema(),
        "correlationid": correlationid or str(event_id),
        "causationid": causationid,
        "traceparent": traceparent,
    }
    headers = {f"{HEADER_PREFIX}{k}": v for k, v in attributes.items() if v is not None}
    body = event.model_dump_json(exclude_none=False).encode()
    return OutgoingMessage(event_id, event.routing_key, headers, body)


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else value


def decode(headers: Mapping[str, Any] | None, content_type: str | None, body: bytes) -> Envelope:
    """Attributes and raw JSON data of a message; raises ``InvalidEvent``."""
    raw = {
        key.removeprefix(HEADER_PREFIX): _text(value)
        for key, value in (headers or {}).items()
        if key.startswith(HEADER_PREFIX)
    }
    if not raw:
        raise InvalidEvent("malformed", "no ce- headers: not a CloudEvent in binary mode")
    if content_type and content_type.split(";")[0].strip() != CONTENT_TYPE:
        raise InvalidEvent("malformed", f"content type {content_type!r} is not {CONTENT_TYPE}")
    try:
        attributes = CloudEventAttributes.model_validate(raw)
    except ValidationError as exc:
        raise InvalidEvent("malformed", f"bad CloudEvents attributes: {_errors(exc)}") from exc
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent("malformed", f"body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidEvent("malformed", "event data must be a JSON object")
    return Envelope(attributes, data)


def validate_data(model: type[E], envelope: Envelope) -> E:
    if envelope.attributes.type != model.event_type():
        raise InvalidEvent(
            "unknown-type",
            f"ce-type {envelope.attributes.type!r} is not {model.event_type()!r}",
        )
    try:
        return model.model_validate(envelope.data)
    except ValidationError as exc:
        raise InvalidEvent(
            "schema", f"data does not match {model.routing_key}: {_errors(exc)}"
        ) from exc


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]
    )
