"""Offers and requests: publish, browse, withdraw; and the match proposals received."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from deformations_lending.api.deps import CurrentActor, WorkDep
from deformations_lending.api.outputs import CollectiviteOut, OfferOut, ProposalOut, RequestOut
from deformations_lending.api.schemas import OfferIn, ReasonIn, RequestIn, weekly
from deformations_lending.domain.collectivites import describe
from deformations_lending.repositories.offers import Browse
from deformations_lending.service import catalogue, proposals
from deformations_lending.service.catalogue import OfferDraft, RequestDraft

router = APIRouter(prefix="/v1", tags=["offres et demandes"])

Siren9 = Annotated[str | None, Query(pattern=r"^[0-9]{9}$")]
Dept = Annotated[str | None, Query(pattern=r"^(?:[0-9]{2,3}|2A|2B)$")]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0)]


@router.post("/offers", status_code=status.HTTP_201_CREATED)
async def publish_offer(body: OfferIn, work: WorkDep, actor: CurrentActor) -> OfferOut:
    """Publier une offre de compétence (« je prête un technicien alimentation… »)."""
    draft = OfferDraft(
        theme=body.theme,
        description=body.description,
        agent_role=body.agent_role,
        agent_ref=body.agent_ref,
        visibility=body.visibility,
        capacity_half_days=body.capacity_half_days,
        period=body.period.domain(),
        possible_half_days=weekly(body.possible_half_days),
        modality=body.modality,
        reimbursement=body.reimbursement,
        reimbursement_details=body.reimbursement_details,
    )
    async with work.begin() as uow:
        offer = await catalogue.publish_offer(uow, actor, draft)
    return OfferOut.of(offer)


@router.get("/offers")
async def browse_offers(
    work: WorkDep,
    actor: CurrentActor,
    theme: str | None = None,
    epci: Siren9 = None,
    departement: Dept = None,
    start: Annotated[date | None, Query(description="Disponible après ce jour")] = None,
    end: Annotated[date | None, Query(description="Disponible avant ce jour")] = None,
    collectivite: Siren9 = None,
    include_closed: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[OfferOut]:
    """Parcourir les offres ouvertes (toute personne connectée) ; une offre masquée par
    l'équipe de la plateforme n'est listée que pour sa collectivité."""
    filters = Browse(
        theme, epci, departement, start, end, collectivite, include_closed, limit, offset
    )
    async with work.begin() as uow:
        found = await catalogue.browse_offers(uow, actor, filters)
    return [OfferOut.of(o) for o in found]


@router.get("/offers/{offer_id}")
async def get_offer(offer_id: UUID, work: WorkDep, actor: CurrentActor) -> OfferOut:
    async with work.begin() as uow:
        offer = await catalogue.get_offer(uow, actor, offer_id)
    return OfferOut.of(offer)


@router.post("/offers/{offer_id}/withdraw")
async def withdraw_offer(
    offer_id: UUID, body: ReasonIn, work: WorkDep, actor: CurrentActor
) -> OfferOut:
    """Retirer une offre : les prêts non convenus sont annulés, les séances futures non
    confirmées aussi."""
    async with work.begin() as uow:
        offer = await catalogue.withdraw_offer(uow, actor, offer_id, body.reason)
    return OfferOut.of(offer)


@router.post("/requests", status_code=status.HTTP_201_CREATED)
async def publish_request(body: RequestIn, work: WorkDep, actor: CurrentActor) -> RequestOut:
    """Publier une demande (« élu de petite commune cherche mise à niveau sur… »)."""
    draft = RequestDraft(
        theme=body.theme,
        need=body.need,
        period=body.period.domain(),
        half_days=body.half_days,
        possible_half_days=weekly(body.possible_half_days),
        modality=body.modality,
    )
    async with work.begin() as uow:
        request = await catalogue.publish_request(uow, actor, draft)
    return RequestOut.of(request)


@router.get("/requests")
async def browse_requests(
    work: WorkDep,
    actor: CurrentActor,
    theme: str | None = None,
    epci: Siren9 = None,
    departement: Dept = None,
    start: date | None = None,
    end: date | None = None,
    collectivite: Siren9 = None,
    include_closed: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[RequestOut]:
    """Parcourir les demandes ouvertes (toute personne connectée)."""
    filters = Browse(
        theme, epci, departement, start, end, collectivite, include_closed, limit, offset
    )
    async with work.begin() as uow:
        found = await catalogue.browse_requests(uow, actor, filters)
    return [RequestOut.of(r) for r in found]


@router.get("/requests/{request_id}")
async def get_request(request_id: UUID, work: WorkDep, actor: CurrentActor) -> RequestOut:
    async with work.begin() as uow:
        request = await catalogue.get_request(uow, actor, request_id)
    return RequestOut.of(request)


@router.post("/requests/{request_id}/withdraw")
async def withdraw_request(
    request_id: UUID, body: ReasonIn, work: WorkDep, actor: CurrentActor
) -> RequestOut:
    async with work.begin() as uow:
        request = await catalogue.withdraw_request(uow, actor, request_id, body.reason)
    return RequestOut.of(request)


@router.get("/proposals", tags=["propositions"])
async def my_proposals(work: WorkDep, actor: CurrentActor) -> list[ProposalOut]:
    """Les propositions de mise en relation reçues pour les demandes de ma collectivité."""
    async with work.begin() as uow:
        found = await proposals.my_proposals(uow, actor)
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
