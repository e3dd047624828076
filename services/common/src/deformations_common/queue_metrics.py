"""Gauges of what waits: DLQ depth and oldest age, consumer lag, outbox lag.

A light periodic check refreshes them (every ``interval_s``, 15 s by default), so a scrape
of ``/metrics`` costs nothing: per subscription, two passive queue declarations, plus, when
its DLQ is not empty, one peek at the DLQ's head (taken unacked, then handed back: a queue
is FIFO, so its head is its oldest dead letter); per service, one aggregate over the outbox.
"""

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import aio_pika
from prometheus_client import Gauge

from deformations_common.db import Pool
from deformations_common.dead_letters import failed_at
from deformations_common.logging import get_logger
from deformations_common.messaging import connect_robust
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Subscription, Topology

DEAD_LETTERS = Gauge(
    "deformations_dead_letters",
    "Messages waiting in a dead-letter queue",
    ["service", "queue"],
)
DEAD_LETTER_AGE = Gauge(
    "deformations_dead_letter_oldest_age_seconds",
    "Age of the oldest message of a dead-letter queue (0 when empty)",
    ["service", "queue"],
)
QUEUE_READY = Gauge(
    "deformations_queue_ready_messages",
    "Messages of a subscription queue not yet delivered to a consumer (consumer lag)",
    ["service", "queue"],
)
OUTBOX_PENDING = Gauge(
    "deformations_outbox_pending",
    "Events recorded but not yet confirmed by the broker",
    ["service"],
)
OUTBOX_AGE = Gauge(
    "deformations_outbox_oldest_age_seconds",
    "Age of the oldest event waiting in the outbox (0 when empty): outbox lag",
    ["service"],
)

log = get_logger()


class QueueMonitor:
    def __init__(
        self,
        settings: ServiceSettings,
        subscriptions: Sequence[Subscription],
        pool: Callable[[], Pool] | None = None,
        *,
        interval_s: float = 15.0,
    ) -> None:
        self._settings = settings
        self._topology = Topology(settings)
        self._subscriptions = list(subscriptions)
        self._pool = pool
        self._interval_s = interval_s
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def run(self) -> None:
        try:
            while True:
                try:
                    await asyncio.wait_for(self.refresh(), timeout=max(5.0, self._interval_s))
                except Exception as exc:
                    log.warning("queue_metrics.refresh_failed", error=repr(exc)[:300])
                await asyncio.sleep(self._interval_s)
        finally:
            if self._connection is not None:
                with contextlib.suppress(Exception):
                    await self._connection.close()

    async def refresh(self) -> None:
        service = self._settings.service_name
        if self._subscriptions:
            if self._connection is None:
                # Every node of AMQP_URL, failing over like the service's other connections.
                self._connection = await connect_robust(
                    self._settings.amqp_url,
                    reconnect_interval=1,
                    attempt_timeout_s=self._settings.broker_timeout_s,
                    heartbeat_s=self._settings.broker_heartbeat_s,
                )
            channel = await self._connection.channel()
            try:
                for subscription in self._subscriptions:
                    queue = self._topology.queue_name(subscription)
                    main = await channel.declare_queue(queue, passive=True)
                    QUEUE_READY.labels(service, queue).set(
                        main.declaration_result.message_count or 0
                    )
                    dlq = await channel.declare_queue(f"{queue}.dlq", passive=True)
                    depth = dlq.declaration_result.message_count or 0
                    DEAD_LETTERS.labels(service, f"{queue}.dlq").set(depth)
                    age = 0.0
                    if depth:
                        head = await dlq.get(no_ack=False, fail=False)
                        if head is not None:
                            moment = failed_at(dict(head.headers or {}), head.timestamp)
                            await head.nack(requeue=True)
                            if moment is not None:
                                age = max(0.0, (datetime.now(UTC) - moment).total_seconds())
                    DEAD_LETTER_AGE.labels(service, f"{queue}.dlq").set(age)
            finally:
                await channel.close()
        if self._pool is not None:
            row = await self._pool().fetchrow(
                "SELECT count(*) AS n, extract(epoch FROM now() - min(created_at)) AS age"
                " FROM outbox"
            )
            OUTBOX_PENDING.labels(service).set(row["n"] if row else 0)
            OUTBOX_AGE.labels(service).set(float(row["age"] or 0) if row else 0.0)
