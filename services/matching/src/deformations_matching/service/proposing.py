"""A new request gets its need ↔ offer proposals at once, in the handler's transaction."""

from uuid import UUID

from deformations_contracts.events.matching import MatchProposed
from deformations_matching import events
from deformations_matching.domain.model import NEUTRAL_STANDING
from deformations_matching.repositories.requests import RequestRow
from deformations_matching.service.book import standing_of
from deformations_matching.service.uow import MatchingUow


async def propose_for_request(uow: MatchingUow, row: RequestRow, k: int) -> list[MatchProposed]:
    """Store and emit the k best proposals not made before (the index must be refreshed)."""
    book = uow.book
    assert book.index is not None, "refresh the book before proposing"
    request = book.request_of(row)
    if request is None:
        return []
    now = uow.now()
    standing_row = await uow.offers.standing_row(row.siren)
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
    new = await uow.proposals.insert_proposals(made)
    made = [event for event in made if event.proposal_id in new]
    for event in made:
        await uow.emit(event)
    return made
