from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_notifications.domain.outcome import (
    AttemptResult,
    Outcome,
    classify_http_status,
    classify_smtp_code,
    without_addresses,
)
from deformations_notifications.domain.retry import DeliveryState, DeliveryStatus, RetryPolicy

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
POLICY = RetryPolicy(base=timedelta(seconds=10), factor=2, cap=timedelta(minutes=10), jitter=0.2)


@settings(max_examples=200)
@given(attempt=st.integers(1, 30), seed=st.integers(0, 2**63))
def test_delay_grows_within_jitter_and_cap(attempt: int, seed: int) -> None:
    raw = min(600.0, 10.0 * 2 ** (attempt - 1))
    delay = POLICY.delay(attempt, seed).total_seconds()
    assert raw * 0.8 - 1e-6 <= delay <= raw * 1.2 + 1e-6
    assert POLICY.delay(attempt, seed) == POLICY.delay(attempt, seed)


def test_jitter_depends_on_seed() -> None:
    delays = {POLICY.delay(3, seed) for seed in range(20)}
    assert len(delays) > 10


def test_no_jitter_is_plain_exponential() -> None:
    policy = RetryPolicy(base=timedelta(seconds=1), jitter=0)
    assert [policy.delay(n, 7).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]


def test_invalid_policies() -> None:
    with pytest.raises(ValueError, match="invalid"):
        RetryPolicy(jitter=1.5)
    with pytest.raises(ValueError, match="attempt"):
        RetryPolicy(max_attempts=0)


def test_transient_failures_retry_until_exhausted() -> None:
    policy = RetryPolicy(max_attempts=3)
    state = DeliveryState(seed=42)
    transient = AttemptResult(Outcome.TRANSIENT, "451 busy", 451)
    state = state.record(transient, NOW, policy)
    assert state.status is DeliveryStatus.PENDING
    assert state.attempts == 1
    assert state.next_attempt_at is not None
    assert not state.due(NOW)
    assert state.due(state.next_attempt_at)
    state = state.record(transient, NOW, policy)
    state = state.record(transient, NOW, policy)
    assert state.status is DeliveryStatus.FAILED
    assert state.attempts == 3
    assert state.last_error == "451 busy"
    assert not state.due(NOW + timedelta(days=1))


def test_permanent_failure_stops_at_once_and_success_delivers() -> None:
    failed = DeliveryState(seed=1).record(AttemptResult(Outcome.PERMANENT, "550"), NOW, POLICY)
    assert failed.status is DeliveryStatus.FAILED
    assert failed.next_attempt_at is None
    ok = DeliveryState(seed=1).record(AttemptResult(Outcome.DELIVERED), NOW, POLICY)
    assert ok.status is DeliveryStatus.DELIVERED
    assert ok.attempts == 1


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (301, Outcome.PERMANENT),
        (400, Outcome.PERMANENT),
        (401, Outcome.PERMANENT),
        (404, Outcome.PERMANENT),
        (408, Outcome.TRANSIENT),
        (429, Outcome.TRANSIENT),
        (500, Outcome.TRANSIENT),
        (503, Outcome.TRANSIENT),
    ],
)
def test_http_classification(status: int, outcome: Outcome) -> None:
    assert classify_http_status(status) is outcome


def test_smtp_classification() -> None:
    assert classify_smtp_code(250) is Outcome.DELIVERED
    assert classify_smtp_code(451) is Outcome.TRANSIENT
    assert classify_smtp_code(550) is Outcome.PERMANENT


def test_stored_errors_quote_no_address() -> None:
    refused = "550 5.1.1 <elue.crest@example.org>: Recipient address rejected"
    assert without_addresses(refused) == "550 5.1.1 <[adresse]>: Recipient address rejected"
    assert without_addresses("451 try later") == "451 try later"
