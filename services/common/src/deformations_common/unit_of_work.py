"""One unit of work: a transaction, the events it causes, the clock and the typed settings.

HTTP handlers, consumers and jobs all run a use case over a :class:`UnitOfWork`:

- an HTTP request or a job opens one with ``runtime.begin(Uow)``;
- a consumer gets one for its event's transaction with ``ctx.unit_of_work(Uow, conn)``,
  whose ``emit`` records the event's causal chain and trace;
- a fast test builds one over in-memory repositories and a list of emitted events.

A service subclasses it to name its repositories (``uow.loans``…), each built over
``uow.conn``: a fake unit of work overrides those properties, so use cases run without
servers (the cosmicpython pattern). Use cases never commit: the scope that opened the
unit of work does, or rolls everything back on an exception.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from deformations_common.erasure import ErasedPeopleRepository
from deformations_common.settings import ServiceSettings
from deformations_common.vocabulary.clock import Clock
from deformations_contracts.base import EventData

S = TypeVar("S", bound=ServiceSettings)

# Records events in the transaction of ``conn`` (the outbox); returns their ids.
Emitter = Callable[[Any, Sequence[EventData]], Awaitable[list[UUID]]]


class UnitOfWork(Generic[S]):
    """What a use case works over. ``conn`` is the transaction's connection."""

    def __init__(self, conn: Any, settings: S, clock: Clock, emitter: Emitter) -> None:
        self.conn = conn
        self.settings = settings
        self.clock = clock
        self._emitter = emitter

    @property
    def erased_people(self) -> ErasedPeopleRepository:
        """Tombstones of the people erased here (every service's schema has them)."""
        return ErasedPeopleRepository(self.conn)

    def now(self) -> datetime:
        """The time of this unit of work's clock (aware, UTC)."""
        return self.clock()

    async def emit(self, event: EventData) -> UUID:
        """Record an event: it is published if and only if the unit of work commits."""
        (event_id,) = await self._emitter(self.conn, (event,))
        return event_id

    async def emit_many(self, events: Sequence[EventData]) -> list[UUID]:
        """Many events of this unit of work, recorded in one statement."""
        if not events:
            return []
        return await self._emitter(self.conn, events)


U = TypeVar("U", bound=UnitOfWork[Any])
