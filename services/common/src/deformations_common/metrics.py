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
BATCH_SIZE = Histogram(
    "deformations_event_batch_size",
    "Events handled in one shared transaction (batchable handlers, batches of two or more)",
    ["service", "routing_key"],
    buckets=(2, 4, 8, 16, 32, 64, 128, 256),
)
BATCHES_SPLIT = Counter(
    "deformations_event_batches_split_total",
    "Shared transactions rolled back (a failing event, a lock waited for too long), "
    "their events then handled one by one",
    ["service", "routing_key"],
)
