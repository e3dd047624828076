"""What every endpoint shares: the caller as the domain's actor, and a unit of work on
the request's clock."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from deformations_common.auth import CurrentPrincipal, Principal
from deformations_common.errors import Unprocessable
from deformations_common.service import Runtime, get_runtime
from deformations_common.settings import Environment
from deformations_common.vocabulary.clock import Clock, FixedClock
from deformations_lending.domain.policy import Actor
from deformations_lending.service.uow import LendingUnitOfWork
from deformations_lending.settings import LendingSettings

# Outside production, a demo or a test may set the clock of one request (ISO 8601 with
# a time zone), e.g. to declare a half-day held that is still in the future.
CLOCK_HEADER = "x-deformations-now"

RuntimeDep = Annotated[Runtime[LendingSettings], Depends(get_runtime)]


def request_clock(request: Request, runtime: RuntimeDep) -> Clock | None:
    """The clock the request's header sets; None: the service's own."""
    given = request.headers.get(CLOCK_HEADER)
    if not given or runtime.settings.environment is Environment.PRODUCTION:
        return None
    try:
        at = datetime.fromisoformat(given)
    except ValueError as exc:
        raise Unprocessable(f"En-tête {CLOCK_HEADER} invalide : {given!r}.") from exc
    if at.tzinfo is None:
        raise Unprocessable(f"L'en-tête {CLOCK_HEADER} doit indiquer un fuseau horaire.")
    return FixedClock(at)


@dataclass(frozen=True, slots=True)
class Work:
    """Opens the request's unit of work: one transaction, on the request's clock."""

    runtime: Runtime[LendingSettings]
    clock: Clock | None

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[LendingUnitOfWork]:
        async with self.runtime.begin(LendingUnitOfWork, clock=self.clock) as uow:
            yield uow


def work(runtime: RuntimeDep, clock: Annotated[Clock | None, Depends(request_clock)]) -> Work:
    return Work(runtime, clock)


WorkDep = Annotated[Work, Depends(work)]


def actor(principal: Principal) -> Actor:
    return Actor(principal.sub, principal.authority, frozenset(principal.roles))


def current_actor(principal: CurrentPrincipal) -> Actor:
    return actor(principal)


CurrentActor = Annotated[Actor, Depends(current_actor)]
