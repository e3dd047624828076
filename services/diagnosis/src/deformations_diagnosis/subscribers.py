"""Events diagnosis reads: each handler runs one use case over the event's unit of work."""

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.events.people import PersonErasureRequested
from deformations_diagnosis.service import people
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork
from deformations_diagnosis.settings import DiagnosisSettings

handlers = EventHandlers("diagnosis")


@handlers.on(PersonErasureRequested, batchable=True)
async def erase_person(
    event: PersonErasureRequested, ctx: EventContext[DiagnosisSettings], conn: Connection
) -> None:
    await people.erase_person(ctx.unit_of_work(DiagnosisUnitOfWork, conn), event.person_id)
