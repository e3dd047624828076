"""Offers and requests: publish, browse, look up, withdraw."""

from dataclasses import dataclass, replace
from uuid import UUID, uuid4

from deformations_common.logging import get_logger
from deformations_contracts.events.lending import LoanParty
from deformations_contracts.types import Modality
from deformations_lending import events
from deformations_lending.domain import loans as loan_rules
from deformations_lending.domain import moderation
from deformations_lending.domain import offers as offer_rules
from deformations_lending.domain.calendar import Period, WeeklyHalfDay
from deformations_lending.domain.collectivites import describe
from deformations_lending.domain.errors import OfferNotFoundError, RequestNotFoundError
from deformations_lending.domain.offers import (
    Offer,
    ReimbursementBasis,
    SkillRequest,
    SkillVisibility,
)
from deformations_lending.domain.policy import Actor, Command, Parties
from deformations_lending.repositories.offers import Browse
from deformations_lending.service.access import acting_for, allow
from deformations_lending.service.uow import LendingUnitOfWork

log = get_logger()


@dataclass(frozen=True, slots=True)
class OfferDraft:
    """An offer as its lender writes it (``agent_ref``: the lender's own reference)."""

    theme: str
    description: str
    agent_role: str
    agent_ref: str
    visibility: SkillVisibility
    capacity_half_days: int
    period: Period
    possible_half_days: frozenset[WeeklyHalfDay]
    modality: Modality
    reimbursement: ReimbursementBasis
    reimbursement_details: str = ""


@dataclass(frozen=True, slots=True)
class RequestDraft:
    theme: str
    need: str
    period: Period
    half_days: int
    possible_half_days: frozenset[WeeklyHalfDay]
    modality: Modality


async def publish_offer(uow: LendingUnitOfWork, actor: Actor, draft: OfferDraft) -> Offer:
    """Publish a skill offer (« je prête un technicien alimentation… »)."""
    lender = acting_for(actor)
    allow(actor, Command.PUBLISH_OFFER, Parties(owner=lender))
    offer, _ = offer_rules.publish_offer(
        offer_id=uuid4(),
        lender=lender,
        theme=draft.theme,
        description=draft.description,
        agent_role=draft.agent_role,
        # Scoped by the lender: two collectivités may use the same internal reference.
        agent_ref=f"{lender}/{draft.agent_ref}",
        visibility=draft.visibility,
        capacity_half_days=draft.capacity_half_days,
        period=draft.period,
        possible_half_days=draft.possible_half_days,
        modality=draft.modality,
        reimbursement=draft.reimbursement,
        reimbursement_details=draft.reimbursement_details,
        now=uow.now(),
    )
    [described] = await uow.collectivites.remember(lender)
    await uow.offers.insert_offer(offer)
    await uow.emit(events.skill_offered(offer, described))
    log.info("lending.offer_published", offer_id=str(offer.id), lender=lender)
    return offer


async def browse_offers(uow: LendingUnitOfWork, actor: Actor, filters: Browse) -> list[Offer]:
    return await uow.offers.browse_offers(replace(filters, viewer=actor.authority))


async def get_offer(uow: LendingUnitOfWork, actor: Actor, offer_id: UUID) -> Offer:
    """An offer; a hidden one only for its lender's people and the operators."""
    offer = await uow.offers.get_offer(offer_id)
    if offer is None or not moderation.may_see(actor, offer):
        raise OfferNotFoundError("Cette offre n'existe pas.")
    return offer


async def withdraw_offer(
    uow: LendingUnitOfWork, actor: Actor, offer_id: UUID, reason: str
) -> Offer:
    """Withdraw an offer: its loans not yet agreed are cancelled, and so are the coming
    unconfirmed sessions of its agreed ones."""
    now = uow.now()
    offer = await uow.offers.get_offer(offer_id, for_update=True)
    if offer is None:
        raise OfferNotFoundError("Cette offre n'existe pas.")
    allow(actor, Command.WITHDRAW_OFFER, Parties(owner=offer.lender))
    records = await uow.loans.live_loans_of_offer(offer_id)
    outcome = loan_rules.withdraw_offer(offer, [r.loan for r in records], reason=reason, now=now)
    before = {r.loan.id: r for r in records}
    for changed in outcome.loans:
        await uow.loans.save_loan(before[changed.id], changed, now=now)
    await uow.offers.mark_offer_withdrawn(outcome.offer, now)
    await uow.emit(events.offer_withdrawn(outcome.offer, now))
    for changed in outcome.loans:
        after = await uow.loans.get_loan(changed.id)
        assert after is not None
        happened = [e for e in outcome.events if getattr(e, "loan_id", None) == changed.id]
        await uow.emit_many(
            events.for_loan(
                happened,
                after,
                outcome.offer,
                borrower=describe(changed.borrower),
                stage_before=events.stage_of(before[changed.id]),
                acted_by=LoanParty.LENDER,
            )
        )
    return outcome.offer


async def publish_request(
    uow: LendingUnitOfWork, actor: Actor, draft: RequestDraft
) -> SkillRequest:
    """Publish a request (« élu de petite commune cherche mise à niveau sur… »)."""
    requester = acting_for(actor)
    allow(actor, Command.PUBLISH_REQUEST, Parties(owner=requester))
    request, _ = offer_rules.publish_request(
        request_id=uuid4(),
        requester=requester,
        theme=draft.theme,
        need=draft.need,
        period=draft.period,
        half_days=draft.half_days,
        possible_half_days=draft.possible_half_days,
        modality=draft.modality,
        now=uow.now(),
    )
    [described] = await uow.collectivites.remember(requester)
    await uow.offers.insert_request(request)
    await uow.emit(events.skill_requested(request, described))
    log.info("lending.request_published", request_id=str(request.id), requester=requester)
    return request


async def browse_requests(
    uow: LendingUnitOfWork, actor: Actor, filters: Browse
) -> list[SkillRequest]:
    return await uow.offers.browse_requests(replace(filters, viewer=actor.authority))


async def get_request(uow: LendingUnitOfWork, actor: Actor, request_id: UUID) -> SkillRequest:
    """A request; a hidden one only for its requester's people and the operators."""
    request = await uow.offers.get_request(request_id)
    if request is None or not moderation.may_see(actor, request):
        raise RequestNotFoundError("Cette demande n'existe pas.")
    return request


async def withdraw_request(
    uow: LendingUnitOfWork, actor: Actor, request_id: UUID, reason: str
) -> SkillRequest:
    now = uow.now()
    request = await uow.offers.get_request(request_id, for_update=True)
    if request is None:
        raise RequestNotFoundError("Cette demande n'existe pas.")
    allow(actor, Command.WITHDRAW_REQUEST, Parties(owner=request.requester))
    withdrawn, _ = offer_rules.withdraw_request(request, reason=reason, now=now)
    await uow.offers.mark_request_withdrawn(withdrawn, now)
    await uow.emit(events.request_withdrawn(withdrawn, now))
    return withdrawn
