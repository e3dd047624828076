"""Signed webhook deliveries to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_devtools.notifications.servers import WEBHOOK_SECRET, Receiver
from deformations_notifications.delivery import signatures
from deformations_notifications.delivery.egress import guarded_client
from deformations_notifications.delivery.webhook import WebhookSender
from deformations_notifications.domain.outcome import Outcome
from deformations_notifications.domain.retry import DeliveryState, DeliveryStatus, RetryPolicy
from deformations_notifications.domain.webhooks import WebhookSubscription

BODY = json.dumps({"loan_id": "l-3", "lender": "200000172"}).encode()


def subscription(
    url: str, secret: str = WEBHOOK_SECRET, max_failures: int = 3
) -> WebhookSubscription:
    return WebhookSubscription(
        id="sub-1",
        url=url,
        secret=secret,
        event_types=frozenset({"loan.*"}),
        max_consecutive_failures=max_failures,
    )


@pytest.fixture
async def sender() -> AsyncIterator[WebhookSender]:
    async with httpx.AsyncClient() as client:
        yield WebhookSender(client, timeout=5)


def now() -> datetime:
    # The receiver checks the timestamp against its own clock, as a real one would.
    return datetime.now(UTC)


async def test_signed_delivery_is_verified_by_the_receiver(
    webhook_receiver: Receiver, sender: WebhookSender
) -> None:
    result = await sender.deliver(
        subscription(webhook_receiver.url),
        message_id="msg-1",
        event_type="loan.agreed.v1",
        body=BODY,
        now=now(),
    )
    assert result.outcome is Outcome.DELIVERED
    assert result.status == 204
    assert webhook_receiver.accepted == [("msg-1", BODY)]


async def test_wrong_secret_or_stale_timestamp_is_refused(
    webhook_receiver: Receiver, sender: WebhookSender
) -> None:
    other = signatures.make_secret(b"0" * 32)
    wrong = await sender.deliver(
        subscription(webhook_receiver.url, secret=other),
        message_id="m",
        event_type="loan.agreed.v1",
        body=BODY,
        now=now(),
    )
    stale = await sender.deliver(
        subscription(webhook_receiver.url),
        message_id="m",
        event_type="loan.agreed.v1",
        body=BODY,
        now=now() - timedelta(minutes=10),
    )
    assert wrong.status == stale.status == 401
    assert wrong.outcome is Outcome.PERMANENT
    assert webhook_receiver.rejected_signatures == 2
    assert webhook_receiver.accepted == []


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (500, Outcome.TRANSIENT),
        (503, Outcome.TRANSIENT),
        (429, Outcome.TRANSIENT),
        (408, Outcome.TRANSIENT),
        (404, Outcome.PERMANENT),
        (410, Outcome.PERMANENT),
    ],
)
async def test_receiver_status_is_classified(
    webhook_receiver: Receiver, sender: WebhookSender, status: int, outcome: Outcome
) -> None:
    webhook_receiver.statuses = [status]
    result = await sender.deliver(
        subscription(webhook_receiver.url),
        message_id="m",
        event_type="loan.agreed.v1",
        body=BODY,
        now=now(),
    )
    assert result.outcome is outcome
    assert result.status == status


async def test_unreachable_receiver_is_transient(sender: WebhookSender) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connection refused
        result = await sender.deliver(
            subscription(f"http://127.0.0.1:{port}/hook"),
            message_id="m",
            event_type="loan.agreed.v1",
            body=BODY,
            now=now(),
        )
    assert result.outcome is Outcome.TRANSIENT


async def test_retries_deliver_once_and_repeated_failures_pause(
    webhook_receiver: Receiver, sender: WebhookSender
) -> None:
    sub = subscription(webhook_receiver.url, max_failures=2)
    policy = RetryPolicy(max_attempts=3)
    # First event: two 503s then accepted; retried until delivered, delivered once.
    webhook_receiver.statuses = [503, 503]
    state = DeliveryState(seed=7)
    clock = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    while state.status is DeliveryStatus.PENDING:
        result = await sender.deliver(
            sub, message_id="evt-1", event_type="loan.agreed.v1", body=BODY, now=now()
        )
        state = state.record(result, clock, policy)
        clock = state.next_attempt_at or clock
    assert state.status is DeliveryStatus.DELIVERED
    assert state.attempts == 3
    sub = sub.record_success()
    assert [m for m, _ in webhook_receiver.accepted] == ["evt-1"]
    # Then two events that end in a permanent failure: the subscription pauses.
    webhook_receiver.statuses = [410, 410]
    for event_id in ("evt-2", "evt-3"):
        result = await sender.deliver(
            sub, message_id=event_id, event_type="loan.agreed.v1", body=BODY, now=now()
        )
        assert result.outcome is Outcome.PERMANENT
        sub = sub.record_failure(clock)
    assert not sub.active
    assert not sub.wants("loan.agreed.v1")
    assert sub.resume().wants("loan.agreed.v1")


@settings(max_examples=50)
@given(
    body=st.binary(max_size=500), msg_id=st.text(min_size=1, max_size=40).filter(str.isprintable)
)
def test_signature_verifies_and_detects_tampering(body: bytes, msg_id: str) -> None:
    ts = 1_764_150_000
    headers = signatures.signature_headers(WEBHOOK_SECRET, msg_id, ts, body)
    assert signatures.verify(WEBHOOK_SECRET, headers, body, now=ts + 10) == msg_id
    with pytest.raises(signatures.InvalidSignatureError):
        signatures.verify(WEBHOOK_SECRET, headers, body + b"x", now=ts)
    with pytest.raises(signatures.InvalidSignatureError):
        signatures.verify(WEBHOOK_SECRET, {**headers, "webhook-id": msg_id + "x"}, body, now=ts)
    with pytest.raises(signatures.InvalidSignatureError):
        signatures.verify(WEBHOOK_SECRET, headers, body, now=ts + 301)


def test_signature_accepts_any_current_secret_during_rotation() -> None:
    new = signatures.make_secret(bytes(range(32)))
    headers = signatures.signature_headers(new, "m", 100, b"{}")
    headers["Webhook-Signature"] = "v1,bm90LWl0 " + headers.pop("webhook-signature")
    assert signatures.verify([WEBHOOK_SECRET, new], headers, b"{}", now=100) == "m"
    with pytest.raises(signatures.InvalidSignatureError):
        signatures.verify(WEBHOOK_SECRET, headers, b"{}", now=100)
    with pytest.raises(signatures.InvalidSignatureError, match="missing"):
        signatures.verify(WEBHOOK_SECRET, {}, b"{}", now=100)
    with pytest.raises(ValueError, match="24"):
        signatures.make_secret(b"short")


def test_reference_vector_of_the_standard_webhooks_spec() -> None:
    # The example published with the specification: our receivers' libraries agree.
    signature = signatures.sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook"]
)
async def test_the_guarded_client_refuses_inside_addresses_before_connecting(url: str) -> None:
    async with guarded_client(4) as client:
        result = await WebhookSender(client, timeout=5).deliver(
            subscription(url), message_id="m", event_type="loan.agreed.v1", body=BODY, now=now()
        )
    assert result.outcome is Outcome.PERMANENT
    assert "adresse refusée" in result.detail and "bouclage" in result.detail


async def test_production_delivers_over_https_only() -> None:
    async with guarded_client(4) as client:
        result = await WebhookSender(client, allow_http=False).deliver(
            subscription("http://93.184.216.34/hook"),
            message_id="m",
            event_type="loan.agreed.v1",
            body=BODY,
            now=now(),
        )
    assert result.outcome is Outcome.PERMANENT and "https" in result.detail
