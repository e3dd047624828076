"""Events matching reads: each handler runs one use case in the message's transaction."""

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_contracts.events.lending import (
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
    OfferWithdrawn,
    RequestWithdrawn,
    SkillOffered,
    SkillRequested,
)
from deformations_contracts.events.moderation import ContentHidden, ContentShown
from deformations_contracts.events.people import MembershipChanged, PersonErasureRequested
from deformations_contracts.events.training import RebondAnswered, RebondProposed
from deformations_matching.service import read_models
from deformations_matching.service.uow import MatchingUow
from deformations_matching.settings import MatchingSettings

handlers = EventHandlers("matching")
Context = EventContext[MatchingSettings]


@handlers.on(SkillOffered, batchable=True)
async def offer_received(event: SkillOffered, ctx: Context, conn: Connection) -> None:
    await read_models.record_offer(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(OfferWithdrawn, batchable=True)
async def offer_withdrawn(event: OfferWithdrawn, ctx: Context, conn: Connection) -> None:
    await read_models.withdraw_offer(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(ContentHidden, batchable=True)
async def content_hidden(event: ContentHidden, ctx: Context, conn: Connection) -> None:
    await read_models.moderate_offer(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(ContentShown, batchable=True)
async def content_shown(event: ContentShown, ctx: Context, conn: Connection) -> None:
    await read_models.moderate_offer(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(SkillRequested)
async def request_received(event: SkillRequested, ctx: Context, conn: Connection) -> None:
    await read_models.receive_request(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(RequestWithdrawn, batchable=True)
async def request_withdrawn(event: RequestWithdrawn, ctx: Context, conn: Connection) -> None:
    await read_models.withdraw_request(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(LoanAgreed, batchable=True)
async def loan_agreed(event: LoanAgreed, ctx: Context, conn: Connection) -> None:
    await read_models.record_loan(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(LoanCompleted, batchable=True)
async def loan_completed(event: LoanCompleted, ctx: Context, conn: Connection) -> None:
    await read_models.record_loan(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(LoanCancelled, batchable=True)
async def loan_cancelled(event: LoanCancelled, ctx: Context, conn: Connection) -> None:
    await read_models.record_loan(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(DiagnosisCompleted, batchable=True)
async def diagnosis_completed(event: DiagnosisCompleted, ctx: Context, conn: Connection) -> None:
    await read_models.record_diagnosis(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(RebondProposed, batchable=True)
async def rebond_proposed(event: RebondProposed, ctx: Context, conn: Connection) -> None:
    await read_models.record_rebond_proposed(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(RebondAnswered, batchable=True)
async def rebond_answered(event: RebondAnswered, ctx: Context, conn: Connection) -> None:
    await read_models.record_rebond_answered(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(MembershipChanged, batchable=True)
async def membership_changed(event: MembershipChanged, ctx: Context, conn: Connection) -> None:
    await read_models.record_membership(ctx.unit_of_work(MatchingUow, conn), event)


@handlers.on(PersonErasureRequested, batchable=True)
async def erase_person(event: PersonErasureRequested, ctx: Context, conn: Connection) -> None:
    await read_models.erase_person(ctx.unit_of_work(MatchingUow, conn), event)
