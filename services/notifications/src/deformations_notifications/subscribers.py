"""Events notifications reads: every event of the catalogue (people are told of some, other
systems may subscribe to all through webhooks) and erasure requests."""

from __future__ import annotations

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import (
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
    OfferWithdrawn,
    RequestWithdrawn,
    SkillOffered,
    SkillRequested,
)
from deformations_contracts.events.matching import MatchProposed
from deformations_contracts.events.people import PersonErasureRequested
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_notifications import handling
from deformations_notifications.clock import Clock, system_clock
from deformations_notifications.domain.audience import team_membership
from deformations_notifications.repositories import notifications, recipients, relay
from deformations_notifications.settings import NotificationsSettings

CONSUMED: tuple[type[EventData], ...] = (
    DiagnosisTeamUpdated,
    MatchProposed,
    LoanAgreed,
    LoanCompleted,
    LoanCancelled,
    SessionScheduled,
    SessionRescheduled,
    SessionCancelled,
    SkillOffered,
    SkillRequested,
    OfferWithdrawn,
    RequestWithdrawn,
)


def build_handlers(clock: Clock = system_clock) -> EventHandlers:
    handlers = EventHandlers("notifications")

    async def on_event(
        event: EventData, ctx: EventContext[NotificationsSettings], conn: Connection
    ) -> None:
        await handling.handle(event, ctx, conn, clock())

    for model in CONSUMED:
        handlers.on(model, batchable=True)(on_event)

    @handlers.on(DiagnosisCompleted, batchable=True)
    async def on_diagnosis_completed(
        event: DiagnosisCompleted, ctx: EventContext[NotificationsSettings], conn: Connection
    ) -> None:
        if event.family_label:
            await notifications.remember_family_label(conn, event.family, event.family_label)
        membership = team_membership(event)
        if membership is not None:
            await recipients.add_campaign_member(conn, *membership)
        await handling.handle(event, ctx, conn, clock())

    @handlers.on(PersonErasureRequested, batchable=True)
    async def on_erasure(
        event: PersonErasureRequested, ctx: EventContext[NotificationsSettings], conn: Connection
    ) -> None:
        await erase_person(conn, event.person_id)
        # Subscribed systems hold personal data too: they are told to erase it.
        await handling.record_webhooks(conn, handling.incoming(event, ctx), ctx)

    return handlers


async def erase_person(conn: Connection, person_id: str) -> None:
    await recipients.erase(conn, person_id)
    await notifications.erase_recipient(conn, person_id)
    await relay.erase_person(conn, person_id)


# The declaration of what this service consumes (contract tests, AsyncAPI); the running
# service builds its own with its clock (``app.definition``).
handlers = build_handlers()
