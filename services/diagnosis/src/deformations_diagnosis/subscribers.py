"""Events diagnosis reads."""

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.events.people import PersonErasureRequested
from deformations_diagnosis import repository
from deformations_diagnosis.settings import DiagnosisSettings

handlers = EventHandlers("diagnosis")


@handlers.on(PersonErasureRequested, batchable=True)
async def erase_person(
    event: PersonErasureRequested, ctx: EventContext[DiagnosisSettings], conn: Connection
) -> None:
    await repository.erase_person(conn, event.person_id)
