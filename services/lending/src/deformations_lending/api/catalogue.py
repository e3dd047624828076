"""Offers and requests: publish, browse, withdraw; and the match proposals received."""

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, status

from deformations_common.auth import CurrentPrincipal
from deformations_common.errors import NotFound
from deformations_common.logging import get_logger
from deformations_common.service import RuntimeDep
from deformations_contracts.events.lending import LoanParty
from deformations_lending import events
from deformations_lending.api.common import Now, acting_for, allow, unit_of_work
from deformations_lending.api.schemas import (
    CollectiviteOut,
    OfferIn,
    OfferOut,
    ProposalOut,
    ReasonIn,
    RequestIn,
    RequestOut,
    weekly,
)
from deformations_lending.collectivites import describe
from deformations_lending.domain import loans as loan_rules
from deformations_lending.domain import offers as offer_rules
from deformations_lending.domain.policy import Command, Parties
from deformations_lending.repositories import collectivites, proposals
from deformations_lending.repositories import loans as loan_rows
from deformations_lending.repositories import offers as rows

router = APIRouter(prefix="/v1", tags=["offres et demandes"])
log = get_logger()

Siren9 = Annotated[str | None, Query(pattern=r"^[0-9]{9}$")]
Dept = Annotated[str | None, Query(pattern=r"^(?:[0-9]{2,3}|2A|2B)$")]


def _browse(
    theme: str | None,
    epci: str | None,
    departement: str | None,
    start: date | None,
    end: date | None,
    collectivite: str | None,
    include_closed: bool,
    limit: int,
    offset: int,
) -> rows.Browse:
    return rows.Browse(
        theme=theme,
        epci=epci,
        departement=departement,
        start=start,
        end=end,
        owner=collectivite,
        include_closed=include_closed,
        limit=limit,
        offset=offset,
    )


@router.post("/offers", status_code=status.HTTP_201_CREATED)
async def publish_offer(
    body: OfferIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> OfferOut:
    """Publier une offre de compétence (« je prête un technicien alimentation… »)."""
    lender = acting_for(principal)
    allow(principal, Command.PUBLISH_OFFER, Parties(owner=lender))
    async with unit_of_work(runtime) as conn:
        offer, _ = offer_rules.publish_offer(
            offer_id=uuid4(),
            lender=lender,
            theme=body.theme,
            description=body.description,
            agent_role=body.agent_role,
            # Scoped by the lender: two collectivités may use the same internal reference.
            agent_ref=f"{lender}/{body.agent_ref}",
            visibility=body.visibility,
            capacity_half_days=body.capacity_half_days,
            period=body.period.domain(),
            possible_half_days=weekly(body.possible_half_days),
            modality=body.modality,
            reimbursement=body.reimbursement,
            reimbursement_details=body.reimbursement_details,
            now=now,
        )
        [described] = await collectivites.remember(conn, lender)
        await rows.insert_offer(conn, offer)
        await runtime.emit(conn, events.skill_offered(offer, described))
    log.info("lending.offer_published", offer_id=str(offer.id), lender=lender)
    return OfferOut.of(offer)


@router.get("/offers")
async def browse_offers(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    theme: str | None = None,
    epci: Siren9 = None,
    departement: Dept = None,
    start: Annotated[date | None, Query(description="Disponible après ce jour")] = None,
    end: Annotated[date | None, Query(description="Disponible avant ce jour")] = None,
    collectivite: Siren9 = None,
    include_closed: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[OfferOut]:
    """Parcourir les offres ouvertes (toute personne connectée)."""
    filters = _browse(
        theme, epci, departement, start, end, collectivite, include_closed, limit, offset
    )
    async with runtime.pool.acquire() as conn:
        found = await rows.browse_offers(conn, filters)
    return [OfferOut.of(o) for o in found]


@router.get("/offers/{offer_id}")
async def get_offer(offer_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> OfferOut:
    async with runtime.pool.acquire() as conn:
        offer = await rows.get_offer(conn, offer_id)
    if offer is None:
        raise NotFound("Cette offre n'existe pas.", code="offer_not_found")
    return OfferOut.of(offer)


@router.post("/offers/{offer_id}/withdraw")
async def withdraw_offer(
    offer_id: UUID, body: ReasonIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> OfferOut:
    """Retirer une offre : les prêts non convenus sont annulés, les séances futures non
    confirmées aussi."""
    async with unit_of_work(runtime) as conn:
        offer = await rows.get_offer(conn, offer_id, for_update=True)
        if offer is None:
            raise NotFound("Cette offre n'existe pas.", code="offer_not_found")
        allow(principal, Command.WITHDRAW_OFFER, Parties(owner=offer.lender))
        records = await loan_rows.live_loans_of_offer(conn, offer_id)
        outcome = loan_rules.withdraw_offer(
            offer, [r.loan for r in records], reason=body.reason, now=now
        )
        before = {r.loan.id: r for r in records}
        for changed in outcome.loans:
            await loan_rows.save_loan(conn, before[changed.id], changed, now=now)
        await rows.mark_offer_withdrawn(conn, outcome.offer, now)
        await runtime.emit(conn, events.offer_withdrawn(outcome.offer, now))
        for changed in outcome.loans:
            after = await loan_rows.get_loan(conn, changed.id)
            assert after is not None
            happened = [e for e in outcome.events if getattr(e, "loan_id", None) == changed.id]
            for event in events.for_loan(
                happened,
                after,
                outcome.offer,
                borrower=describe(changed.borrower),
                stage_before=events.stage_of(before[changed.id]),
                acted_by=LoanParty.LENDER,
            ):
                await runtime.emit(conn, event)
    return OfferOut.of(outcome.offer)


@router.post("/requests", status_code=status.HTTP_201_CREATED)
async def publish_request(
    body: RequestIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> RequestOut:
    """Publier une demande (« élu de petite commune cherche mise à niveau sur… »)."""
    requester = acting_for(principal)
    allow(principal, Command.PUBLISH_REQUEST, Parties(owner=requester))
    async with unit_of_work(runtime) as conn:
        request, _ = offer_rules.publish_request(
            request_id=uuid4(),
            requester=requester,
            theme=body.theme,
            need=body.need,
            period=body.period.domain(),
            half_days=body.half_days,
            possible_half_days=weekly(body.possible_half_days),
            modality=body.modality,
            now=now,
        )
        [described] = await collectivites.remember(conn, requester)
        await rows.insert_request(conn, request)
        await runtime.emit(conn, events.skill_requested(request, described))
    log.info("lending.request_published", request_id=str(request.id), requester=requester)
    return RequestOut.of(request)


@router.get("/requests")
async def browse_requests(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    theme: str | None = None,
    epci: Siren9 = None,
    departement: Dept = None,
    start: date | None = None,
    end: date | None = None,
    collectivite: Siren9 = None,
    include_closed: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RequestOut]:
    """Parcourir les demandes ouvertes (toute personne connectée)."""
    filters = _browse(
        theme, epci, departement, start, end, collectivite, include_closed, limit, offset
    )
    async with runtime.pool.acquire() as conn:
        found = await rows.browse_requests(conn, filters)
    return [RequestOut.of(r) for r in found]


@router.get("/requests/{request_id}")
async def get_request(
    request_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> RequestOut:
    async with runtime.pool.acquire() as conn:
        request = await rows.get_request(conn, request_id)
    if request is None:
        raise NotFound("Cette demande n'existe pas.", code="request_not_found")
    return RequestOut.of(request)


@router.post("/requests/{request_id}/withdraw")
async def withdraw_request(
    request_id: UUID, body: ReasonIn, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> RequestOut:
    async with unit_of_work(runtime) as conn:
        request = await rows.get_request(conn, request_id, for_update=True)
        if request is None:
            raise NotFound("Cette demande n'existe pas.", code="request_not_found")
        allow(principal, Command.WITHDRAW_REQUEST, Parties(owner=request.requester))
        withdrawn, _ = offer_rules.withdraw_request(request, reason=body.reason, now=now)
        await rows.mark_request_withdrawn(conn, withdrawn, now)
        await runtime.emit(conn, events.request_withdrawn(withdrawn, now))
    return RequestOut.of(withdrawn)


@router.get("/proposals", tags=["propositions"])
async def my_proposals(runtime: RuntimeDep, principal: CurrentPrincipal) -> list[ProposalOut]:
    """Les propositions de mise en relation reçues pour les demandes de ma collectivité."""
    borrower = acting_for(principal)
    allow(principal, Command.PROPOSE_LOAN, Parties(borrower=borrower))
    async with runtime.pool.acquire() as conn:
        found = await proposals.for_borrower(conn, borrower)
    return [
        ProposalOut(
            proposal_id=p.proposal_id,
            request_id=p.request_id,
            offer_id=p.offer_id,
            kind=p.kind,
            lender=CollectiviteOut.of(describe(p.lender_siren)),
            theme=p.theme,
            score=p.score,
            reasons=p.reasons,
            proposed_at=p.proposed_at,
            expires_at=p.expires_at,
            loan_id=p.loan_id,
        )
        for p in found
    ]
