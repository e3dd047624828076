"""Prometheus metrics shared by every service (labelled by service/schema)."""

from prometheus_client import Counter, Gauge, Histogram

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
DEPENDENCY_UP = Gauge(
    "deformations_dependency_up",
    "Whether a dependency (database, broker) answered at its last check: 1 or 0",
    ["service", "dependency"],
)
BACKGROUND_TASK_UP = Gauge(
    "deformations_background_task_up",
    "Whether a supervised background task (outbox relay, senders, jobs) is running: 1 or 0",
    ["service", "task"],
)
BACKGROUND_TASK_RESTARTS = Counter(
    "deformations_background_task_restarts_total",
    "Supervised background tasks restarted after they failed",
    ["service", "task"],
)
