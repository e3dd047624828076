import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from runtime_harness import Pinged, ping, standard_headers

from deformations_common.codec import InvalidEvent, decode, encode, validate_data


def test_an_encoded_event_is_read_by_the_official_sdk() -> None:
    event = ping(3)
    message = encode(event, source="pinger", time=datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    decoded = from_binary(
        RabbitMQMessage(message.headers, "application/json", message.body), JSONFormat()
    )
    assert decoded.get_type() == "fr.deformations.test.pinged.v1"
    assert decoded.get_source() == "pinger"
    assert decoded.get_id() == str(message.event_id)
    assert decoded.get_subject() == str(event.ping_id)
    assert decoded.get_data() == {"ping_id": str(event.ping_id), "n": 3}
    assert message.headers["ce-time"] == "2026-11-26T09:00:00Z"
    assert message.headers["ce-correlationid"] == str(message.event_id)


def test_decode_round_trips() -> None:
    event = ping(1)
    message = encode(event, source="pinger", causationid="c-1")
    envelope = decode(message.headers, "application/json", message.body)
    assert validate_data(Pinged, envelope) == event
    assert envelope.attributes.causationid == "c-1"


def test_bytes_header_values_are_accepted() -> None:
    message = encode(ping(1), source="pinger")
    headers = {k: v.encode() for k, v in message.headers.items()}
    assert decode(headers, "application/json", message.body).attributes.source == "pinger"


@pytest.mark.parametrize(
    ("headers", "content_type", "body", "kind", "words"),
    [
        ({}, "application/json", b"{}", "malformed", "no ce- headers"),
        (standard_headers(), "application/json", b"{not json", "malformed", "not JSON"),
        (standard_headers(), "application/json", b"[1, 2]", "malformed", "JSON object"),
        (standard_headers(), "text/plain", b"{}", "malformed", "content type"),
        ({**standard_headers(), "ce-id": "nope"}, "application/json", b"{}", "malformed", "id"),
        ({**standard_headers(), "ce-time": "yesterday"}, None, b"{}", "malformed", "time"),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(
    headers: dict[str, str], content_type: str | None, body: bytes, kind: str, words: str
) -> None:
    with pytest.raises(InvalidEvent) as caught:
        decode(headers, content_type, body)
    assert caught.value.kind == kind
    assert words in caught.value.reason


def test_wrong_type_and_invalid_data_are_refused() -> None:
    body = json.dumps({"ping_id": str(uuid4()), "n": 1}).encode()
    other = decode(standard_headers("fr.deformations.test.other.v1"), None, body)
    with pytest.raises(InvalidEvent) as caught:
        validate_data(Pinged, other)
    assert caught.value.kind == "unknown-type"
    bad = decode(standard_headers(), None, json.dumps({"ping_id": "x", "n": -1}).encode())
    with pytest.raises(InvalidEvent) as caught:
        validate_data(Pinged, bad)
    assert caught.value.kind == "schema"
    assert "ping_id" in caught.value.reason and "n" in caught.value.reason


def test_unknown_fields_are_ignored_by_consumers() -> None:
    body = json.dumps({"ping_id": str(uuid4()), "n": 2, "added_later": True}).encode()
    assert validate_data(Pinged, decode(standard_headers(), None, body)).n == 2
