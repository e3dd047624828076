"""The connection every repository speaks through: PostgreSQL's refusals become the
domain's errors here, so no layer above knows a constraint name.

The domain checks each rule before writing; a constraint still fires when a concurrent
request changed the state meanwhile. Its name says which rule, in the domain's wording.
"""

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from asyncpg import Record

from deformations_common.db import Connection
from deformations_lending.domain.errors import (
    AgentAlreadyBookedError,
    CapacityExceededError,
    ConcurrentChangeError,
    DomainError,
    InvalidTransitionError,
    LoanAlreadyExistsError,
    OfferWithdrawnError,
)

_WITHDRAWN = "L'offre a été retirée entre-temps."

CONSTRAINTS: dict[str, Callable[[], DomainError]] = {
    "sessions_agent_half_day": lambda: AgentAlreadyBookedError(
        "L'agent est déjà réservé sur cette demi-journée."
    ),
    "offers_not_overcommitted": lambda: CapacityExceededError(
        "L'offre n'a plus assez de demi-journées disponibles."
    ),
    "loans_sessions_within_half_days": lambda: CapacityExceededError(
        "Toutes les demi-journées convenues du prêt sont déjà planifiées."
    ),
    "offers_open_for_agreement": lambda: OfferWithdrawnError(_WITHDRAWN),
    "sessions_offer_open": lambda: OfferWithdrawnError(_WITHDRAWN),
    "sessions_loan_agreed": lambda: InvalidTransitionError("Le prêt n'est plus convenu."),
    "loans_match_request": lambda: LoanAlreadyExistsError(
        "Cette proposition a déjà donné lieu à un prêt pour cette demande."
    ),
}

# What a concurrent request can make a statement fail with; anything else is a bug.
_RACES = (
    asyncpg.UniqueViolationError,
    asyncpg.CheckViolationError,
    asyncpg.ExclusionViolationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)


def translate(exc: asyncpg.PostgresError) -> DomainError:
    """The domain's error for a constraint a concurrent request made fire."""
    name = getattr(exc, "constraint_name", None) or ""
    known = CONSTRAINTS.get(name)
    if known is not None:
        return known()
    return ConcurrentChangeError("Une modification concurrente a eu lieu : réessayez.")


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    try:
        yield
    except _RACES as exc:
        raise translate(exc) from exc


class Statements:
    """``conn``'s statements, with refusals translated (see the module's docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def execute(self, query: str, *args: Any) -> str:
        async with translated():
            status: str = await self.conn.execute(query, *args)
        return status

    async def executemany(self, query: str, args: Iterable[Any]) -> None:
        async with translated():
            await self.conn.executemany(query, args)

    async def fetch(self, query: str, *args: Any) -> list[Record]:
        async with translated():
            rows: list[Record] = await self.conn.fetch(query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Record | None:
        async with translated():
            row: Record | None = await self.conn.fetchrow(query, *args)
        return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with translated():
            return await self.conn.fetchval(query, *args)
