"""Events lending reads: match proposals (shown to borrowers) and erasure requests.

Each handler runs one use case over the event's unit of work."""

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.events.matching import MatchProposed
from deformations_contracts.events.people import PersonErasureRequested
from deformations_lending.service import people, proposals
from deformations_lending.service.uow import LendingUnitOfWork
from deformations_lending.settings import LendingSettings

handlers = EventHandlers("lending")


@handlers.on(MatchProposed, batchable=True)
async def store_proposal(
    event: MatchProposed, ctx: EventContext[LendingSettings], conn: Connection
) -> None:
    await proposals.store_proposal(ctx.unit_of_work(LendingUnitOfWork, conn), event)


@handlers.on(PersonErasureRequested, batchable=True)
async def erase_person(
    event: PersonErasureRequested, ctx: EventContext[LendingSettings], conn: Connection
) -> None:
    await people.erase_person(ctx.unit_of_work(LendingUnitOfWork, conn), event.person_id)
