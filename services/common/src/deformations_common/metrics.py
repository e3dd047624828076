"""Prometheus metrics shared by every service (labelled by service/schema)."""

from prometheus_client import Counter, Histogram

EVENTS_PUBLISHED = Counter(
    "deformations_events_published_total", "Events confirmed by the broker", ["service"]
)
EVENTS_CONSUMED = Counter(
    "deformations_events_consumed_total",
    "Events taken from a subscription queue, by outcome",
    ["service", "routing_key", "outcome"],
)
HANDLING_SECONDS = Histogram(
    "deformations_event_handling_seconds",
    "Time to handle one event, commit included",
    ["service", "routing_key"],
)
