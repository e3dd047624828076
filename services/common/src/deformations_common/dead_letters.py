"""Dead letters of a service: list, show, re-drive and discard them, with an audit trail.

Every action walks a DLQ message by message with manual acknowledgement: a message is
taken (and held unacked), acted upon, then acked; the messages not selected stay held
until the walk ends and are then handed back (nack with requeue), in order. A process
that dies mid-way leaves every message it had not acked in the DLQ: the broker requeues
what an aborted channel held.

A re-drive publishes the message, with publisher confirms, to the service's own retry
exchange with the routing key of the first retry queue of its subscription: when that
queue's TTL expires, RabbitMQ dead-letters it to the subscription's main queue only (the
default exchange, by queue name). Publishing on the events exchange instead would reach
every service bound to the routing key, each of which already handled it. The attempt
count and the error headers are reset; the inbox makes a second re-drive of the same event
a no-op. The DLQ message is acked only after the confirm.

Every re-drive and discard is logged (``dead_letters.redriven``/``discarded``: operator,
queue, ce-ids) and recorded, one row per message, in the service schema's append-only
``dead_letter_actions`` table (a runtime migration, like the outbox and the inbox).
"""

import getpass
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import asyncpg
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from deformations_common.consumer import (
    ATTEMPT_HEADER,
    FAILED_AT_HEADER,
    KIND_HEADER,
    QUEUE_HEADER,
    REASON_HEADER,
)
from deformations_common.logging import get_logger
from deformations_common.messaging import connect_robust
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Subscription, Topology

REDRIVEN_AT_HEADER = "x-deformations-redriven-at"
REDRIVEN_BY_HEADER = "x-deformations-redriven-by"
# What a re-driven message must not carry on: the consumer's and the broker's record of
# its earlier failures (a fresh attempt count, no stale reason).
_RESET_HEADERS = frozenset(
    {
        ATTEMPT_HEADER,
        KIND_HEADER,
        REASON_HEADER,
        QUEUE_HEADER,
        FAILED_AT_HEADER,
        "x-death",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-last-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
        "x-delivery-count",
    }
)
# A walk never holds more messages than this: bounded memory and broker state.
MAX_SCAN = 10_000

log = get_logger()


def default_operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


@dataclass(frozen=True)
class Selection:
    """Which dead letters an action touches; empty fields select everything.

    ``queue``: the DLQ's name, its subscription's queue or name, or the routing key.
    """

    queue: str | None = None
    ids: frozenset[str] = frozenset()
    kind: str | None = None
    limit: int | None = None

    def matches(self, letter: "DeadLetter") -> bool:
        if self.ids and letter.ce_id not in self.ids:
            return False
        return self.kind is None or letter.kind == self.kind


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    headers: dict[str, Any]
    body: bytes
    content_type: str | None
    failed_at: datetime | None

    @property
    def ce_id(self) -> str | None:
        return _text(self.headers.get("ce-id"))

    @property
    def ce_type(self) -> str | None:
        return _text(self.headers.get("ce-type"))

    @property
    def ce_source(self) -> str | None:
        return _text(self.headers.get("ce-source"))

    @property
    def kind(self) -> str:
        """The consumer's error kind; for a message the broker dead-lettered itself (past
        the delivery limit), the x-death reason."""
        kind = _text(self.headers.get(KIND_HEADER))
        if kind:
            return kind
        death = _first_death(self.headers)
        return _text(death.get("reason")) or "unknown" if death else "unknown"

    @property
    def reason(self) -> str:
        reason = _text(self.headers.get(REASON_HEADER))
        if reason:
            return reason
        death = _first_death(self.headers)
        if death:
            return f"dead-lettered by the broker ({_text(death.get('reason'))})"
        return ""

    @property
    def attempts(self) -> int:
        """How many times it was handled before it died: the consumer's count (plus the
        failing attempt), else the broker's x-death count."""
        counted = self.headers.get(ATTEMPT_HEADER)
        if counted is not None:
            try:
                return int(counted) + 1
            except (TypeError, ValueError):
                pass
        death = _first_death(self.headers)
        try:
            return int(death.get("count", 1)) if death else 1
        except (TypeError, ValueError):
            return 1

    def outline(self) -> dict[str, Any]:
        """What an operator may see anywhere: identity, type, error and timing; never the
        body nor headers that could carry a person's data."""
        return {
            "queue": self.queue,
            "id": self.ce_id,
            "type": self.ce_type,
            "source": self.ce_source,
            "kind": self.kind,
            "reason": self.reason[:200],
            "failed_at": None if self.failed_at is None else self.failed_at.isoformat(),
            "attempts": self.attempts,
        }

    @property
    def occurred_at(self) -> datetime | None:
        """When the event happened (its ce-time), else when it was dead-lettered."""
        stamp = _text(self.headers.get("ce-time"))
        if stamp:
            try:
                moment = datetime.fromisoformat(stamp)
            except ValueError:
                pass
            else:
                return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return self.failed_at

    def replayable(self, now: datetime, max_age_days: int) -> bool:
        """Whether the letter is young enough to be redriven: past the events' maximum
        replay age, the tombstones of people erased since may be gone (see erasure)."""
        occurred = self.occurred_at
        return occurred is None or now - occurred <= timedelta(days=max_age_days)

    def age_s(self, now: datetime) -> float | None:
        return None if self.failed_at is None else max(0.0, (now - self.failed_at).total_seconds())

    def as_json(self) -> dict[str, Any]:
        try:
            body: Any = json.loads(self.body)
        except ValueError:
            body = self.body.decode("utf-8", "replace")
        return {
            "queue": self.queue,
            "ce": {
                k.removeprefix("ce-"): _jsonable(v)
                for k, v in self.headers.items()
                if k.startswith("ce-")
            },
            "kind": self.kind,
            "reason": self.reason,
            "failed_at": None if self.failed_at is None else self.failed_at.isoformat(),
            "headers": {
                k: _jsonable(v) for k, v in self.headers.items() if not k.startswith("ce-")
            },
            "content_type": self.content_type,
            "body": body,
        }


@dataclass(frozen=True)
class QueueSummary:
    queue: str
    subscription: str
    count: int
    oldest_age_s: float | None
    kinds: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "subscription": self.subscription,
            "count": self.count,
            "oldest_age_s": self.oldest_age_s,
            "kinds": self.kinds,
            "reasons": self.reasons,
        }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _first_death(headers: dict[str, Any]) -> dict[str, Any]:
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return deaths[0]
    return {}


def failed_at(headers: dict[str, Any], timestamp: datetime | None = None) -> datetime | None:
    """When the message was dead-lettered: the consumer's header, else the broker's
    x-death time, else the message's own timestamp."""
    stamp = _text(headers.get(FAILED_AT_HEADER))
    if stamp:
        try:
            return datetime.fromisoformat(stamp)
        except ValueError:
            pass
    death_time = _first_death(headers).get("time")
    moment = death_time if isinstance(death_time, datetime) else timestamp
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_dead_letter(queue: str, message: AbstractIncomingMessage) -> DeadLetter:
    headers = dict(message.headers or {})
    return DeadLetter(
        queue, headers, message.body, message.content_type, failed_at(headers, message.timestamp)
    )


def redrive_headers(headers: dict[str, Any], operator: str, now: datetime) -> dict[str, Any]:
    kept = {k: v for k, v in headers.items() if k not in _RESET_HEADERS}
    return {**kept, REDRIVEN_AT_HEADER: now.isoformat(), REDRIVEN_BY_HEADER: operator}


class UnknownQueue(ValueError):
    pass


class DeadLetters:
    """The dead letters of one service, on its own broker connection (and database
    connection for the audit): ``async with DeadLetters(settings, subscriptions) as dl``."""

    def __init__(self, settings: ServiceSettings, subscriptions: Sequence[Subscription]) -> None:
        self.settings = settings
        self.topology = Topology(settings)
        self.subscriptions = list(subscriptions)
        self._connection: aio_pika.abc.AbstractConnection | None = None
        self._db: Any = None

    async def __aenter__(self) -> "DeadLetters":
        self._connection = await connect_robust(
            self.settings.amqp_url,
            attempt_timeout_s=self.settings.broker_timeout_s,
            heartbeat_s=self.settings.broker_heartbeat_s,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            await self._connection.close()
        if self._db is not None:
            await self._db.close()
        self._connection = self._db = None

    # ---- queues -------------------------------------------------------------------------

    def dlq_name(self, subscription: Subscription) -> str:
        return f"{self.topology.queue_name(subscription)}.dlq"

    def select_queues(self, name: str | None) -> list[Subscription]:
        if name is None:
            return self.subscriptions
        for subscription in self.subscriptions:
            queue = self.topology.queue_name(subscription)
            if name in (queue, f"{queue}.dlq", subscription.name, subscription.routing_key):
                return [subscription]
        known = ", ".join(self.dlq_name(s) for s in self.subscriptions) or "none"
        raise UnknownQueue(f"no dead-letter queue {name!r} for this service (known: {known})")

    async def _channel(self) -> AbstractChannel:
        if self._connection is None:
            raise RuntimeError("use DeadLetters as an async context manager")
        return await self._connection.channel(publisher_confirms=True, on_return_raises=True)

    async def depth(self, subscription: Subscription) -> int:
        channel = await self._channel()
        try:
            queue = await channel.declare_queue(self.dlq_name(subscription), passive=True)
            return queue.declaration_result.message_count or 0
        finally:
            await channel.close()

    # ---- actions ------------------------------------------------------------------------

    async def summary(self, queue: str | None = None) -> list[QueueSummary]:
        """Count, oldest age and error kinds/reasons per DLQ (reads every message, then
        hands them all back)."""
        now = datetime.now(UTC)
        summaries = []
        for subscription in self.select_queues(queue):
            letters = await self._walk(subscription, Selection(), "show")
            kinds: dict[str, int] = {}
            reasons: dict[str, int] = {}
            for letter in letters:
                kinds[letter.kind] = kinds.get(letter.kind, 0) + 1
                reasons[letter.reason[:120]] = reasons.get(letter.reason[:120], 0) + 1
            ages = [a for a in (letter.age_s(now) for letter in letters) if a is not None]
            summaries.append(
                QueueSummary(
                    self.dlq_name(subscription),
                    subscription.name,
                    max(len(letters), await self.depth(subscription)),
                    max(ages) if ages else None,
                    kinds,
                    reasons,
                )
            )
        return summaries

    async def show(self, selection: Selection = Selection()) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        for subscription in self.select_queues(selection.queue):
            found += await self._walk(subscription, self._remaining(selection, found), "show")
        return found

    async def redrive(self, selection: Selection, operator: str) -> list[DeadLetter]:
        return await self._act("redrive", selection, operator)

    async def discard(self, selection: Selection, operator: str) -> list[DeadLetter]:
        return await self._act("discard", selection, operator)

    async def _act(self, action: str, selection: Selection, operator: str) -> list[DeadLetter]:
        if not operator.strip():
            raise ValueError("an operator is required")
        action_id = uuid4()
        done: list[DeadLetter] = []
        for subscription in self.select_queues(selection.queue):
            letters = await self._walk(
                subscription, self._remaining(selection, done), action, operator, action_id
            )
            if letters:
                log.info(
                    f"dead_letters.{action}{'n' if action == 'redrive' else 'ed'}",
                    operator=operator,
                    action_id=str(action_id),
                    queue=self.dlq_name(subscription),
                    ce_ids=[letter.ce_id for letter in letters],
                    at=datetime.now(UTC).isoformat(),
                )
            done += letters
        return done

    @staticmethod
    def _remaining(selection: Selection, done: list[DeadLetter]) -> Selection:
        if selection.limit is None:
            return selection
        return Selection(
            selection.queue, selection.ids, selection.kind, max(0, selection.limit - len(done))
        )

    async def _walk(
        self,
        subscription: Subscription,
        selection: Selection,
        action: str,
        operator: str = "",
        action_id: UUID | None = None,
    ) -> list[DeadLetter]:
        """Take the DLQ's messages one by one; act on the selected ones and ack each after
        its action; hand back the others (and, for ``show``, all of them) at the end."""
        name = self.dlq_name(subscription)
        selected: list[DeadLetter] = []
        held: list[AbstractIncomingMessage] = []
        channel = await self._channel()
        try:
            queue = await channel.get_queue(name, ensure=True)
            retry_exchange = await channel.get_exchange(
                self.topology.retry_exchange(subscription.service).name, ensure=False
            )
            while len(held) < MAX_SCAN and (
                selection.limit is None or len(selected) < selection.limit
            ):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                letter = as_dead_letter(name, message)
                if not selection.matches(letter):
                    held.append(message)
                    continue
                retention = self.settings.erased_people_retention_days
                if action == "redrive" and not letter.replayable(datetime.now(UTC), retention):
                    # Kept for an operator to read and discard, never handled.
                    log.warning(
                        "dead_letters.too_old_to_redrive",
                        queue=name,
                        ce_id=letter.ce_id,
                        max_age_days=retention,
                    )
                    held.append(message)
                    continue
                selected.append(letter)
                if action == "show":
                    held.append(message)
                    continue
                if action == "redrive":
                    await retry_exchange.publish(
                        aio_pika.Message(
                            message.body,
                            headers=redrive_headers(letter.headers, operator, datetime.now(UTC)),
                            content_type=message.content_type,
                            message_id=message.message_id,
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key=self.topology.retry_queue_name(subscription, 0),
                        mandatory=True,
                    )
                await self._audit(action, action_id, operator, name, letter)
                await message.ack()
            for message in held:
                await message.nack(requeue=True)
        finally:
            await channel.close()
        return selected

    async def _audit(
        self, action: str, action_id: UUID | None, operator: str, queue: str, letter: DeadLetter
    ) -> None:
        """Recorded before the ack: a message gone from the DLQ always has its row (a
        crash in between leaves a row for a message still there, which the next action
        records again)."""
        if self._db is None:
            self._db = await asyncpg.connect(
                self.settings.database_url,
                server_settings={"search_path": f"{self.settings.schema_name},public"},
            )
        await self._db.execute(
            """INSERT INTO dead_letter_actions
                   (action_id, action, operator, queue, ce_id, ce_type, ce_source, error_kind)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            action_id or uuid4(),
            action,
            operator,
            queue,
            letter.ce_id,
            letter.ce_type,
            letter.ce_source,
            letter.kind,
        )


# ---- the same actions as plain functions (for the back-office) --------------------------


async def summary(
    settings: ServiceSettings, subscriptions: Sequence[Subscription], queue: str | None = None
) -> list[QueueSummary]:
    async with DeadLetters(settings, subscriptions) as letters:
        return await letters.summary(queue)


async def show(
    settings: ServiceSettings, subscriptions: Sequence[Subscription], selection: Selection
) -> list[DeadLetter]:
    async with DeadLetters(settings, subscriptions) as letters:
        return await letters.show(selection)


async def redrive(
    settings: ServiceSettings,
    subscriptions: Sequence[Subscription],
    selection: Selection,
    operator: str,
) -> list[DeadLetter]:
    async with DeadLetters(settings, subscriptions) as letters:
        return await letters.redrive(selection, operator)


async def discard(
    settings: ServiceSettings,
    subscriptions: Sequence[Subscription],
    selection: Selection,
    operator: str,
) -> list[DeadLetter]:
    async with DeadLetters(settings, subscriptions) as letters:
        return await letters.discard(selection, operator)
