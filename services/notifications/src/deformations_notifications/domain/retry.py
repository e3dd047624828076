"""Retries with exponential backoff and seeded jitter, and the life of one delivery."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .outcome import AttemptResult, Outcome


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Delay before attempt n+1 = min(cap, base · factor^(n-1)) · (1 ± jitter).

    Jitter spreads retries of many notifications that failed together (an SMTP server
    that came back) so they do not hit it in one wave; the seed makes it reproducible.
    """

    base: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    cap: timedelta = timedelta(hours=2)
    jitter: float = 0.2
    max_attempts: int = 10

    def __post_init__(self) -> None:
        if self.base <= timedelta(0) or self.factor < 1 or not 0 <= self.jitter < 1:
            raise ValueError("invalid retry policy")
        if self.max_attempts < 1:
            raise ValueError("at least one attempt")

    def delay(self, attempt: int, seed: int) -> timedelta:
        """Delay after the failed attempt number ``attempt`` (1-based)."""
        if attempt < 1:
            raise ValueError("attempts are numbered from 1")
        raw = min(
            self.cap.total_seconds(), self.base.total_seconds() * self.factor ** (attempt - 1)
        )
        spread = random.Random(seed * 1_000_003 + attempt).uniform(-self.jitter, self.jitter)
        return timedelta(seconds=raw * (1 + spread))

    def next_attempt_at(self, now: datetime, attempt: int, seed: int) -> datetime | None:
        """When to try again after failed attempt ``attempt``; None once attempts are exhausted."""
        if attempt >= self.max_attempts:
            return None
        return now + self.delay(attempt, seed)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # visible to operators through the API and metrics


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """One notification on one channel: what happened so far and when to try next."""

    seed: int
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""

    def due(self, now: datetime) -> bool:
        return self.status is DeliveryStatus.PENDING and (
            self.next_attempt_at is None or self.next_attempt_at <= now
        )

    def record(self, result: AttemptResult, now: datetime, policy: RetryPolicy) -> DeliveryState:
        attempts = self.attempts + 1
        if result.outcome is Outcome.DELIVERED:
            return replace(
                self, status=DeliveryStatus.DELIVERED, attempts=attempts, next_attempt_at=None
            )
        retry_at = (
            policy.next_attempt_at(now, attempts, self.seed)
            if result.outcome is Outcome.TRANSIENT
            else None
        )
        return replace(
            self,
            status=DeliveryStatus.PENDING if retry_at is not None else DeliveryStatus.FAILED,
            attempts=attempts,
            next_attempt_at=retry_at,
            last_error=result.detail,
        )
