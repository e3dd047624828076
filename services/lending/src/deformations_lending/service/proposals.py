"""Match proposals: kept from matching's events, shown to the borrowers they concern."""

from deformations_common.logging import get_logger
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_lending.domain.policy import Actor, Command, Parties
from deformations_lending.repositories.proposals import Proposal
from deformations_lending.service.access import acting_for, allow
from deformations_lending.service.uow import LendingUnitOfWork

log = get_logger()

LENDING_KINDS = frozenset({ProposalKind.NEED_OFFER, ProposalKind.GROUPED_OFFER})


async def store_proposal(uow: LendingUnitOfWork, event: MatchProposed) -> list[Proposal]:
    """Keep need↔offer proposals for the borrowers; the offer and requests may be unknown
    here yet (events out of order): the borrower acts once they are."""
    if event.kind not in LENDING_KINDS or event.offer is None:
        return []  # peer groups, pairs and rotations are not loans
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
        return []
    await uow.collectivites.remember(offer.collectivite_siren, *{r.borrower_siren for r in rows})
    await uow.proposals.store(rows)
    return rows


async def my_proposals(uow: LendingUnitOfWork, actor: Actor) -> list[Proposal]:
    """The proposals received for the requests of the actor's collectivité."""
    borrower = acting_for(actor)
    allow(actor, Command.PROPOSE_LOAN, Parties(borrower=borrower))
    return await uow.proposals.for_borrower(borrower)
