"""Exchanges and queues per DESIGN §3, named from the settings.

For a subscription ``<service>.<routing key>``:

- the main quorum queue, bound to the topic exchange with the routing key, with a
  delivery limit and at-least-once dead-lettering to the dead-letter exchange;
- ``<queue>.dlq``, bound to the dead-letter exchange: invalid messages (reason in
  headers) and messages past the delivery limit (``x-death``) end there;
- ``<queue>.retry.<ms>`` queues without consumers: a transiently failed message is
  parked in one through the service's own direct exchange ``<service>.retry`` and, when
  its TTL expires, dead-lettered back through that same exchange to the main queue
  (bound there by its own name). Growing delays give an exponential back-off on
  RabbitMQ 3.10, and no service needs to write to the default exchange (which reaches
  any queue by name): declaring a queue that dead-letters to an exchange needs write
  on it, so the broker user of a service has no right on the default exchange.
"""

from dataclasses import dataclass
from typing import Any, cast

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue
from faststream.rabbit.schemas.queue import QuorumQueueArgs

from deformations_common.settings import ServiceSettings

_AT_LEAST_ONCE: dict[str, Any] = {
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}


@dataclass(frozen=True)
class Subscription:
    service: str
    routing_key: str

    @property
    def name(self) -> str:
        return f"{self.service}.{self.routing_key}"


class Topology:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings

    @property
    def events(self) -> RabbitExchange:
        return RabbitExchange(
            self.settings.events_exchange,
            ExchangeType.TOPIC,
            durable=True,
            declare=self.settings.declare_shared_exchanges,
        )

    @property
    def dead_letters(self) -> RabbitExchange:
        return RabbitExchange(
            self.settings.dead_letter_exchange,
            ExchangeType.DIRECT,
            durable=True,
            declare=self.settings.declare_shared_exchanges,
        )

    def retry_exchange(self, service: str) -> RabbitExchange:
        name = f"{self.settings.queue_prefix}{service}.retry"
        return RabbitExchange(name, ExchangeType.DIRECT, durable=True)

    def queue_name(self, subscription: Subscription) -> str:
        return f"{self.settings.queue_prefix}{subscription.name}"

    def main_queue(self, subscription: Subscription) -> RabbitQueue:
        name = self.queue_name(subscription)
        return RabbitQueue(
            name,
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=subscription.routing_key,
            arguments=cast(
                QuorumQueueArgs,
                {
                    "x-dead-letter-exchange": self.settings.dead_letter_exchange,
                    "x-dead-letter-routing-key": name,
                    "x-delivery-limit": self.settings.delivery_limit,
                    **_AT_LEAST_ONCE,
                },
            ),
        )

    def dead_letter_queue(self, subscription: Subscription) -> RabbitQueue:
        name = self.queue_name(subscription)
        # Bounded, refusing rather than dropping: past the bound, the consumer's dead-letter
        # publish is nacked (the message goes back to its queue) and the broker's own
        # at-least-once dead-lettering keeps it in the source queue; nothing is lost.
        return RabbitQueue(
            f"{name}.dlq",
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=name,
            arguments=cast(
                QuorumQueueArgs,
                {"x-max-length": self.settings.dlq_max_length, "x-overflow": "reject-publish"},
            ),
        )

    def retry_queue_name(self, subscription: Subscription, attempt: int) -> str:
        delays = self.settings.retry_delays_ms
        delay = delays[min(attempt, len(delays) - 1)]
        return f"{self.queue_name(subscription)}.retry.{delay}ms"

    def retry_queues(self, subscription: Subscription) -> list[RabbitQueue]:
        name = self.queue_name(subscription)
        return [
            RabbitQueue(
                f"{name}.retry.{delay}ms",
                queue_type=QueueType.QUORUM,
                durable=True,
                routing_key=f"{name}.retry.{delay}ms",
                arguments=cast(
                    QuorumQueueArgs,
                    {
                        "x-message-ttl": delay,
                        "x-dead-letter-exchange": self.retry_exchange(subscription.service).name,
                        "x-dead-letter-routing-key": name,
                        **_AT_LEAST_ONCE,
                    },
                ),
            )
            for delay in sorted(set(self.settings.retry_delays_ms))
        ]
