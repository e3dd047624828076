"""Events matching reads: each handler updates a read model in the message's transaction."""

from datetime import UTC, datetime

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_common.logging import get_logger
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_contracts.events.lending import (
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
    LoanParty,
    OfferWithdrawn,
    RequestWithdrawn,
    SkillOffered,
    SkillRequested,
)
from deformations_contracts.events.people import PersonErasureRequested
from deformations_matching.book import book_for, half_day_key
from deformations_matching.incremental import propose_for_request
from deformations_matching.locate import departement_of
from deformations_matching.repositories import erasure, read_models
from deformations_matching.settings import MatchingSettings

handlers = EventHandlers("matching")
log = get_logger()


@handlers.on(SkillOffered, batchable=True)
async def offer_received(
    event: SkillOffered, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    await read_models.upsert_offer(
        conn,
        offer_id=event.offer_id,
        siren=event.collectivite.siren,
        insee_code=event.collectivite.insee_code,
        epci_siren=event.collectivite.epci_siren,
        theme=event.theme,
        description=event.description,
        capacity_half_days=event.capacity_half_days,
        half_days=[half_day_key(h.weekday, h.part) for h in event.possible_half_days],
        modality=event.modality.value,
        period_end=event.period.end,
        offered_at=event.offered_at,
    )


@handlers.on(OfferWithdrawn, batchable=True)
async def offer_withdrawn(
    event: OfferWithdrawn, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    await read_models.withdraw_offer(
        conn, event.offer_id, event.collectivite_siren, event.withdrawn_at
    )


@handlers.on(SkillRequested)
async def request_received(
    event: SkillRequested, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    book = book_for(ctx.settings)
    await book.refreshed(conn)  # before any write of this transaction
    status = await read_models.upsert_request(
        conn,
        request_id=event.request_id,
        siren=event.collectivite.siren,
        insee_code=event.collectivite.insee_code,
        epci_siren=event.collectivite.epci_siren,
        theme=event.theme,
        need=event.need,
        half_days=event.half_days_wanted,
        preferred=[half_day_key(h.weekday, h.part) for h in event.preferred_half_days],
        modality=event.modality.value,
        period_end=event.period.end,
        requested_at=event.requested_at,
    )
    if status != "open":
        return  # withdrawn before it reached us: no proposal
    row = await read_models.get_request(conn, event.request_id)
    assert row is not None
    k = ctx.settings.proposals_per_request if isinstance(ctx.settings, MatchingSettings) else 5
    made = await propose_for_request(conn, book, row, emit=ctx.emit, now=datetime.now(UTC), k=k)
    log.info("matching.request_matched", request_id=str(event.request_id), proposals=len(made))


@handlers.on(RequestWithdrawn, batchable=True)
async def request_withdrawn(
    event: RequestWithdrawn, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    await read_models.withdraw_request(
        conn, event.request_id, event.collectivite_siren, event.withdrawn_at
    )


async def _record_loan(
    conn: Connection,
    event: LoanAgreed | LoanCompleted | LoanCancelled,
    status: str,
    *,
    half_days_used: int = 0,
    borrower_satisfaction: int | None = None,
) -> None:
    await read_models.record_loan(
        conn,
        loan_id=event.loan_id,
        offer_id=event.offer_id,
        lender_siren=event.lender_siren,
        borrower_siren=event.borrower_siren,
        status=status,
        half_days_agreed=event.half_days_agreed,
        half_days_used=half_days_used,
        borrower_satisfaction=borrower_satisfaction,
    )


@handlers.on(LoanAgreed, batchable=True)
async def loan_agreed(
    event: LoanAgreed, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    await _record_loan(conn, event, "agreed")


@handlers.on(LoanCompleted, batchable=True)
async def loan_completed(
    event: LoanCompleted, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    borrower = next((f for f in event.feedback if f.respondent is LoanParty.BORROWER), None)
    await _record_loan(
        conn,
        event,
        "completed",
        half_days_used=event.half_days_used,
        borrower_satisfaction=borrower.satisfaction if borrower else None,
    )


@handlers.on(LoanCancelled, batchable=True)
async def loan_cancelled(
    event: LoanCancelled, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    await _record_loan(conn, event, "cancelled", half_days_used=event.half_days_used)


@handlers.on(DiagnosisCompleted, batchable=True)
async def diagnosis_completed(
    event: DiagnosisCompleted, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    book = book_for(ctx.settings)
    await read_models.upsert_diagnosis(
        conn,
        response_id=event.response_id,
        person_id=event.person_id,
        collectivite_siren=event.collectivite_siren,
        commune_insee=event.commune_insee,
        departement=departement_of(book.geography, event.commune_insee),
        family=event.family,
        axis_scores=dict(event.axis_scores),
        priority_themes=list(event.priority_themes),
        time_slots=[s.value for s in event.availability.time_slots],
        modality=event.availability.modality.value,
        half_days_per_month=event.availability.half_days_per_month,
        next_steps=[s.model_dump(mode="json") for s in event.next_steps],
        completed_at=event.completed_at,
    )


@handlers.on(PersonErasureRequested, batchable=True)
async def erase_person(
    event: PersonErasureRequested, ctx: EventContext[MatchingSettings], conn: Connection
) -> None:
    await erasure.erase_person(conn, event.person_id)
