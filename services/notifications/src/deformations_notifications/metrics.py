"""Prometheus metrics of deliveries, served on /metrics with the runtime's."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Counter, Gauge

ATTEMPTS = Counter(
    "notifications_delivery_attempts_total",
    "Delivery attempts by channel (email, webhook) and outcome.",
    ["channel", "outcome"],
)
FAILED = Counter(
    "notifications_delivery_failed_total",
    "Deliveries given up after the retry policy, by channel.",
    ["channel"],
)
NOTIFICATIONS = Gauge(
    "notifications_notifications",
    "Notifications stored, by status (pending, sent, failed, skipped).",
    ["status"],
)
STATUSES = ("pending", "sent", "failed", "skipped")


def refresh(counts: Mapping[str, int]) -> None:
    for status in STATUSES:
        NOTIFICATIONS.labels(status).set(counts.get(status, 0))
