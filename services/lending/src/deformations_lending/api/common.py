"""What every endpoint shares: the clock, authorisation, and errors as problem details."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from deformations_common.auth import Principal
from deformations_common.db import Connection
from deformations_common.errors import Conflict, Forbidden, Unprocessable
from deformations_common.service import Runtime
from deformations_common.settings import Environment
from deformations_lending.domain.errors import (
    AgentAlreadyBookedError,
    CapacityExceededError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
)
from deformations_lending.domain.policy import Actor, Command, Parties, authorize
from deformations_lending.settings import LendingSettings

# Outside production, a demo or a test may set the clock of one request (ISO 8601 with
# a time zone), e.g. to declare a half-day held that is still in the future.
CLOCK_HEADER = "x-deformations-now"


def clock(request: Request) -> datetime:
    runtime: Runtime[LendingSettings] = request.app.state.runtime
    given = request.headers.get(CLOCK_HEADER)
    if given and runtime.settings.environment is not Environment.PRODUCTION:
        try:
            at = datetime.fromisoformat(given)
        except ValueError as exc:
            raise Unprocessable(f"En-tête {CLOCK_HEADER} invalide : {given!r}.") from exc
        if at.tzinfo is None:
            raise Unprocessable(f"L'en-tête {CLOCK_HEADER} doit indiquer un fuseau horaire.")
        return at
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(clock)]


def actor(principal: Principal) -> Actor:
    return Actor(principal.sub, principal.authority, frozenset(principal.roles))


def allow(principal: Principal, command: Command, parties: Parties) -> None:
    try:
        authorize(actor(principal), command, parties)
    except ForbiddenError as exc:
        raise Forbidden(exc.message, code="forbidden", command=command.value) from exc


def acting_for(principal: Principal) -> str:
    """The SIREN the principal acts for; acting needs one."""
    if principal.authority is None:
        raise Forbidden(
            "Votre jeton ne précise pas la collectivité pour laquelle vous agissez.",
            code="forbidden",
        )
    return principal.authority


_DOMAIN_CODES: list[tuple[type[DomainError], str]] = [
    (AgentAlreadyBookedError, "agent_already_booked"),
    (CapacityExceededError, "capacity_exceeded"),
]

# Constraints that concurrent requests can still hit after the domain's check passed on a
# state that changed meanwhile: the same French wording as the domain's.
_CONSTRAINTS: dict[str, tuple[str, str]] = {
    "sessions_agent_half_day": (
        "agent_already_booked",
        "L'agent est déjà réservé sur cette demi-journée.",
    ),
    "offers_not_overcommitted": (
        "capacity_exceeded",
        "L'offre n'a plus assez de demi-journées disponibles.",
    ),
    "loans_sessions_within_half_days": (
        "capacity_exceeded",
        "Toutes les demi-journées convenues du prêt sont déjà planifiées.",
    ),
    "offers_open_for_agreement": ("offer_withdrawn", "L'offre a été retirée entre-temps."),
    "sessions_offer_open": ("offer_withdrawn", "L'offre a été retirée entre-temps."),
    "sessions_loan_agreed": ("invalid_transition", "Le prêt n'est plus convenu."),
    "loans_match_request": (
        "already_exists",
        "Cette proposition a déjà donné lieu à un prêt pour cette demande.",
    ),
}


def _conflict(exc: asyncpg.PostgresError) -> Conflict:
    name = getattr(exc, "constraint_name", None) or ""
    code, detail = _CONSTRAINTS.get(
        name, ("conflict", "Une modification concurrente a eu lieu : réessayez.")
    )
    return Conflict(detail, code=code)


@asynccontextmanager
async def unit_of_work(runtime: Runtime[LendingSettings]) -> AsyncIterator[Connection]:
    """One transaction for the request's state and events; refusals become problems.

    Deferred constraints fire at commit, so the mapping wraps the commit too."""
    try:
        async with runtime.transaction() as conn:
            yield conn
    except InvalidInputError as exc:
        raise Unprocessable(exc.message, code="invalid_input") from exc
    except DomainError as exc:
        code = next((c for t, c in _DOMAIN_CODES if isinstance(exc, t)), "invalid_transition")
        raise Conflict(exc.message, code=code) from exc
    except ForbiddenError as exc:
        raise Forbidden(exc.message, code="forbidden") from exc
    except (
        asyncpg.UniqueViolationError,
        asyncpg.CheckViolationError,
        asyncpg.ExclusionViolationError,
        asyncpg.DeadlockDetectedError,
        asyncpg.SerializationError,
    ) as exc:
        raise _conflict(exc) from exc
