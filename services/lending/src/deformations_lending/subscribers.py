"""Events lending reads: match proposals (shown to borrowers) and erasure requests."""

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_common.logging import get_logger
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.events.people import PersonErasureRequested
from deformations_lending.repositories import collectivites, proposals
from deformations_lending.repositories import loans as loan_rows
from deformations_lending.repositories.proposals import Proposal
from deformations_lending.settings import LendingSettings

handlers = EventHandlers("lending")
log = get_logger()

LENDING_KINDS = frozenset({ProposalKind.NEED_OFFER, ProposalKind.GROUPED_OFFER})


@handlers.on(MatchProposed, batchable=True)
async def store_proposal(
    event: MatchProposed, ctx: EventContext[LendingSettings], conn: Connection
) -> None:
    """Keep need↔offer proposals for the borrowers; the offer and requests may be unknown
    here yet (events out of order): the borrower acts once they are."""
    if event.kind not in LENDING_KINDS or event.offer is None:
        return  # peer groups, pairs and rotations are not loans
    offer = event.offer
    rows = [
        Proposal(
            proposal_id=event.proposal_id,
            request_id=r.request_id,
            borrower_siren=r.collectivite_siren,
            offer_id=offer.offer_id,
            lender_siren=offer.collectivite_siren,
            kind=event.kind.value,
            theme=event.theme,
            score=event.score,
            reasons=list(event.reasons),
            proposed_at=event.proposed_at,
            expires_at=event.expires_at,
        )
        for r in event.requests
        if r.collectivite_siren != offer.collectivite_siren
    ]
    if not rows:
        log.info("lending.proposal_ignored", proposal_id=str(event.proposal_id))
        return
    await collectivites.remember(conn, offer.collectivite_siren, *{r.borrower_siren for r in rows})
    await proposals.store(conn, rows)


@handlers.on(PersonErasureRequested, batchable=True)
async def erase_person(
    event: PersonErasureRequested, ctx: EventContext[LendingSettings], conn: Connection
) -> None:
    await loan_rows.erase_person(conn, event.person_id)
