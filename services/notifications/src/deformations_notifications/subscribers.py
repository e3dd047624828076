"""Events notifications reads: every event of the catalogue (people are told of some, other
systems may subscribe to all through webhooks), memberships and erasure requests. One use
case each."""

from __future__ import annotations

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_contracts.events.people import MembershipChanged, PersonErasureRequested
from deformations_contracts.registry import EVENTS
from deformations_notifications.service import incoming
from deformations_notifications.service.uow import NotificationsUow
from deformations_notifications.settings import NotificationsSettings

Context = EventContext[NotificationsSettings]
# Events with a use case of their own; every other one of the catalogue is told as it is.
OWN_HANDLERS: tuple[type[EventData], ...] = (
    DiagnosisCompleted,
    MembershipChanged,
    PersonErasureRequested,
)
CONSUMED: tuple[type[EventData], ...] = tuple(
    model for model in EVENTS.values() if model not in OWN_HANDLERS
)

handlers = EventHandlers("notifications")


async def on_event(event: EventData, ctx: Context, conn: Connection) -> None:
    uow = ctx.unit_of_work(NotificationsUow, conn)
    await incoming.handle_event(uow, event, ctx.attributes)


for _model in CONSUMED:
    handlers.on(_model, batchable=True)(on_event)


@handlers.on(DiagnosisCompleted, batchable=True)
async def on_diagnosis_completed(event: DiagnosisCompleted, ctx: Context, conn: Connection) -> None:
    uow = ctx.unit_of_work(NotificationsUow, conn)
    await incoming.handle_diagnosis_completed(uow, event, ctx.attributes)


@handlers.on(MembershipChanged, batchable=True)
async def on_membership_changed(event: MembershipChanged, ctx: Context, conn: Connection) -> None:
    uow = ctx.unit_of_work(NotificationsUow, conn)
    await incoming.handle_membership_changed(uow, event, ctx.attributes)


@handlers.on(PersonErasureRequested, batchable=True)
async def on_erasure(event: PersonErasureRequested, ctx: Context, conn: Connection) -> None:
    uow = ctx.unit_of_work(NotificationsUow, conn)
    await incoming.handle_erasure_requested(uow, event, ctx.attributes)
