"""A new request gets its need ↔ offer proposals at once, in the handler's transaction."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from uuid import UUID

from deformations_common.db import Connection
from deformations_contracts.base import EventData
from deformations_contracts.events.matching import MatchProposed
from deformations_matching import events
from deformations_matching.book import OfferBook, standing_of
from deformations_matching.domain.model import NEUTRAL_STANDING
from deformations_matching.repositories import proposals, read_models
from deformations_matching.repositories.read_models import RequestRow

Emit = Callable[[Connection, EventData], Awaitable[object]]
EmitMany = Callable[[Connection, Sequence[EventData]], Awaitable[object]]


async def propose_for_request(
    conn: Connection,
    book: OfferBook,
    row: RequestRow,
    *,
    emit: Emit,
    now: datetime,
    k: int,
) -> list[MatchProposed]:
    """Store and emit the k best proposals not made before (the index must be refreshed)."""
    assert book.index is not None, "refresh the book before proposing"
    request = book.request_of(row)
    if request is None:
        return []
    standing_row = await read_models.standing_row(conn, row.siren)
    standing = standing_of(standing_row) if standing_row else NEUTRAL_STANDING
    made = []
    for proposal in book.index.propose(request, k, requester=standing):
        offer = book.index.offer(proposal.offer_id)
        assert offer is not None
        event = events.need_offer(
            request_id=row.request_id,
            requester_siren=row.siren,
            offer_id=UUID(proposal.offer_id),
            lender_siren=offer.lender_siren,
            theme=row.theme,
            score=proposal.score,
            reasons=proposal.reasons,
            now=now,
        )
        made.append(event)
    new = await proposals.insert_proposals(conn, made)
    made = [event for event in made if event.proposal_id in new]
    for event in made:
        await emit(conn, event)
    return made
