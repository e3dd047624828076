"""Events notifications reads: who is concerned, and what to tell them."""

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_contracts.events.people import PersonErasureRequested
from deformations_notifications import repository
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.preferences import Channel

handlers = EventHandlers("notifications")


@handlers.on(DiagnosisCompleted)
async def on_diagnosis_completed(
    event: DiagnosisCompleted, ctx: EventContext, conn: Connection
) -> None:
    if event.person_id is None:
        return  # an anonymous response: nobody to tell
    key = DedupKey(ctx.attributes.source, str(ctx.attributes.id), event.person_id, Channel.EMAIL)
    await repository.record_pending(
        conn, key, event_type=event.routing_key, payload=event.model_dump(mode="json")
    )


@handlers.on(PersonErasureRequested)
async def on_erasure(event: PersonErasureRequested, ctx: EventContext, conn: Connection) -> None:
    await repository.erase_recipient(conn, event.person_id)
