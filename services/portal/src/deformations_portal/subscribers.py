"""Events the portal reads: erasure requests received by another service."""

import uuid

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.events.people import PersonErasureRequested
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow
from deformations_portal.settings import PortalSettings

handlers = EventHandlers("portal")


@handlers.on(PersonErasureRequested)
async def erase_person(
    event: PersonErasureRequested, ctx: EventContext[PortalSettings], conn: Connection
) -> None:
    """Whoever received the request, the portal forgets the person's login identities."""
    try:
        person_id = uuid.UUID(event.person_id)
    except ValueError:
        return  # not one of the portal's ids: nothing of it here
    await people.forget(ctx.unit_of_work(PortalUow, conn), person_id)
