"""Webhook subscriptions of other systems (a region's LMS, a CRM, an intranet)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, slots=True)
class WebhookSubscription:
    """``event_types`` holds routing keys (``loan.agreed.v1``) or family patterns (``loan.*``).

    After ``max_consecutive_failures`` failed deliveries in a row the subscription is paused
    so a dead endpoint does not pile up retries; its owner resumes it once fixed.
    """

    id: str
    url: str
    secret: str
    event_types: frozenset[str]
    max_consecutive_failures: int = 5
    consecutive_failures: int = 0
    paused_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise ValueError("a webhook URL is http(s)")
        if not self.event_types:
            raise ValueError("subscribe to at least one event type")
        if self.max_consecutive_failures < 1:
            raise ValueError("max_consecutive_failures must be positive")

    @property
    def active(self) -> bool:
        return self.paused_at is None

    def wants(self, routing_key: str) -> bool:
        return self.active and self.matches(routing_key)

    def matches(self, routing_key: str) -> bool:
        """The event-type filter alone, paused or not."""
        for pattern in self.event_types:
            if pattern == "*" or pattern == routing_key:
                return True
            if pattern.endswith(".*") and routing_key.startswith(pattern[:-1]):
                return True
        return False

    def record_success(self) -> WebhookSubscription:
        return replace(self, consecutive_failures=0)

    def record_failure(self, now: datetime) -> WebhookSubscription:
        """Count a delivery that finally failed (retries exhausted or permanent error)."""
        failures = self.consecutive_failures + 1
        paused = self.paused_at
        if paused is None and failures >= self.max_consecutive_failures:
            paused = now
        return replace(self, consecutive_failures=failures, paused_at=paused)

    def resume(self) -> WebhookSubscription:
        return replace(self, consecutive_failures=0, paused_at=None)


def subscribers_for(
    routing_key: str, subscriptions: list[WebhookSubscription]
) -> list[WebhookSubscription]:
    return [s for s in subscriptions if s.wants(routing_key)]
