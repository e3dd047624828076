"""The global re-match: an optimal assignment over every open request, plus offres groupées.

One round is one transaction holding an advisory lock, so that with several replicas a
single one runs it; proposals already made are not made again.
"""

import time
from dataclasses import dataclass
from uuid import UUID, uuid4

from deformations_common.logging import get_logger
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_matching import events
from deformations_matching.domain.assignment import assign_globally
from deformations_matching.domain.grouping import group_similar_needs
from deformations_matching.domain.index import OfferIndex
from deformations_matching.domain.model import (
    NEUTRAL_STANDING,
    SkillOffer,
    SkillRequest,
    Standing,
)
from deformations_matching.domain.scoring import Reason, explain, score_pair
from deformations_matching.domain.text import cosine
from deformations_matching.service.book import standing_of
from deformations_matching.service.uow import MatchingUow

log = get_logger()
_GLOBAL_REASON = Reason("global", "Meilleure répartition d'ensemble des offres disponibles")

# Key of the advisory lock of the re-match (any constant unique within the database).
REMATCH_LOCK = 0x6D61_7463_6801


class _Laps:
    """Seconds spent in each phase of a round, for the log."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = round(now - self._last, 3)
        self._last = now


@dataclass(frozen=True)
class RoundSummary:
    ran: bool
    round_id: UUID | None = None
    requests: int = 0
    allocations: int = 0
    emitted: int = 0
    grouped: int = 0
    unserved: int = 0


async def run_round(uow: MatchingUow, candidates_per_request: int) -> RoundSummary:
    """Run one round in the unit of work; ``ran`` is false if another replica is."""
    now = uow.now()
    book = uow.book
    index = await book.refreshed(uow.offers, now.date())
    if not await uow.proposals.try_lock(REMATCH_LOCK):
        return RoundSummary(ran=False)
    lap = _Laps()
    rows = {str(r.request_id): r for r in await uow.requests.open_requests(now.date())}
    requests: list[SkillRequest] = []
    for row in rows.values():
        request = book.request_of(row)
        if request is not None:
            requests.append(request)
    standings = {str(row["siren"]): standing_of(row) for row in await uow.offers.all_standings()}
    lap("read")
    candidates = index.top_k_many(requests, candidates_per_request, requester=standings)
    lap("candidates")
    offer_ids = {c.offer_id for best in candidates.values() for c in best}
    capacities: dict[str, int] = {}
    lender_of: dict[str, str] = {}
    for offer_id in offer_ids:
        offer = index.offer(offer_id)
        if offer is not None:
            capacities[offer_id] = max(0, offer.capacity_half_days - index.booked(offer_id))
            lender_of[offer_id] = offer.lender_siren
    previous = await uow.proposals.last_unserved()
    assignment = assign_globally(
        {r.request_id: r.half_days for r in requests},
        candidates,
        capacities,
        lender_of,
        unmatched_last_round=previous,
    )
    lap("assignment")
    round_id = uuid4()
    already = await uow.proposals.proposal_ids(ProposalKind.NEED_OFFER.value)
    by_id = {r.request_id: r for r in requests}
    pending: list[MatchProposed] = []
    for allocation in assignment.allocations:
        request = by_id[allocation.request_id]
        offer = index.offer(allocation.offer_id)
        assert offer is not None
        proposal_id = events.proposal_id_for(
            ProposalKind.NEED_OFFER, allocation.request_id, allocation.offer_id
        )
        if proposal_id in already:
            continue
        reasons = (*allocation.reasons, *_reasons(index, request, offer, standings))
        event = events.need_offer(
            request_id=UUID(allocation.request_id),
            requester_siren=request.requester_siren,
            offer_id=UUID(allocation.offer_id),
            lender_siren=offer.lender_siren,
            theme=rows[allocation.request_id].theme,
            score=allocation.score,
            reasons=reasons,
            now=now,
        )
        pending.append(event)
    lap("explained")
    emitted = await _store_and_emit(uow, pending, round_id)
    lap("emitted")
    pending = []
    for group in group_similar_needs(requests, lambda r: index.text_model.vectorize(r.description)):
        # Only the group's own requests: as_request indexes what it is given.
        best = index.propose(group.as_request([by_id[r] for r in group.request_ids]), 1)
        if not best:
            continue
        offer = index.offer(best[0].offer_id)
        assert offer is not None
        event = events.grouped_offer(
            requests=[(UUID(r), by_id[r].requester_siren) for r in group.request_ids],
            offer_id=UUID(offer.offer_id),
            lender_siren=offer.lender_siren,
            theme=group.theme,
            score=best[0].score,
            reasons=(*group.reasons, *best[0].reasons),
            now=now,
        )
        pending.append(event)
    lap("grouped")
    grouped = await _store_and_emit(uow, pending, round_id)
    lap("grouped_emitted")
    unserved = sorted(assignment.unserved)
    await uow.proposals.record_round(
        round_id=round_id,
        ran_at=now,
        requests=len(requests),
        allocations=len(assignment.allocations),
        emitted=emitted,
        grouped=grouped,
        unserved_ids=[UUID(r) for r in unserved],
    )
    summary = RoundSummary(
        True, round_id, len(requests), len(assignment.allocations), emitted, grouped, len(unserved)
    )
    log.info(
        "matching.rematch_ran",
        requests=summary.requests,
        emitted=emitted,
        grouped=grouped,
        unserved=summary.unserved,
        seconds=lap.seconds,
    )
    return summary


async def _store_and_emit(uow: MatchingUow, made: list[MatchProposed], round_id: UUID) -> int:
    new = await uow.proposals.insert_proposals(made, round_id=round_id)
    unique = {e.proposal_id: e for e in made}.values()
    await uow.emit_many([event for event in unique if event.proposal_id in new])
    return len(new)


def _reasons(
    index: OfferIndex, request: SkillRequest, offer: SkillOffer, standings: dict[str, Standing]
) -> tuple[Reason, ...]:
    """The French reasons of one pair (scored alone: cheap next to the whole round)."""
    requester = standings.get(request.requester_siren, NEUTRAL_STANDING)
    lender = index.standing(offer.lender_siren)
    similarity = cosine(
        index.text_model.vectorize(request.description), index.vector(offer.offer_id)
    )
    score = score_pair(
        request,
        offer,
        text_similarity=similarity,
        lender=lender,
        requester=requester,
        booked_half_days=index.booked(offer.offer_id),
        weights=index.weights,
    )
    if score is None:
        return (_GLOBAL_REASON,)
    return (_GLOBAL_REASON, *explain(request, offer, score, lender=lender, requester=requester))
