"""Events training reads: erasure requests."""

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.events.people import PersonErasureRequested
from deformations_training.service import people
from deformations_training.service.uow import TrainingUow
from deformations_training.settings import TrainingSettings

handlers = EventHandlers("training")


@handlers.on(PersonErasureRequested, batchable=True)
async def erase_person(
    event: PersonErasureRequested, ctx: EventContext[TrainingSettings], conn: Connection
) -> None:
    await people.erase(ctx.unit_of_work(TrainingUow, conn), event.person_id)
