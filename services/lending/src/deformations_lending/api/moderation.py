"""Operators moderate offers and requests: the newest, hide with a reason, show again."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from deformations_lending.api.deps import CurrentActor, WorkDep
from deformations_lending.api.outputs import ModeratedOut
from deformations_lending.api.schemas import ReasonIn
from deformations_lending.service import moderation

router = APIRouter(prefix="/v1/operations/moderation", tags=["modération"])

Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/offers")
async def recent_offers(
    work: WorkDep, actor: CurrentActor, limit: Limit = 50
) -> list[ModeratedOut]:
    """Les offres les plus récentes, masquées ou non (opérateurs seulement)."""
    async with work.begin() as uow:
        found = await moderation.recent_offers(uow, actor, limit)
    return [ModeratedOut.of(o) for o in found]


@router.post("/offers/{offer_id}/hide")
async def hide_offer(
    offer_id: UUID, body: ReasonIn, work: WorkDep, actor: CurrentActor
) -> ModeratedOut:
    """Masquer une offre avec un motif : elle quitte les listes publiques et ne peut plus
    donner lieu à un prêt ; sa collectivité la voit marquée masquée et est prévenue."""
    async with work.begin() as uow:
        offer = await moderation.hide_offer(uow, actor, offer_id, body.reason)
    return ModeratedOut.of(offer)


@router.post("/offers/{offer_id}/show")
async def show_offer(offer_id: UUID, work: WorkDep, actor: CurrentActor) -> ModeratedOut:
    """Réafficher une offre masquée."""
    async with work.begin() as uow:
        offer = await moderation.show_offer(uow, actor, offer_id)
    return ModeratedOut.of(offer)


@router.get("/requests")
async def recent_requests(
    work: WorkDep, actor: CurrentActor, limit: Limit = 50
) -> list[ModeratedOut]:
    """Les demandes les plus récentes, masquées ou non (opérateurs seulement)."""
    async with work.begin() as uow:
        found = await moderation.recent_requests(uow, actor, limit)
    return [ModeratedOut.of(r) for r in found]


@router.post("/requests/{request_id}/hide")
async def hide_request(
    request_id: UUID, body: ReasonIn, work: WorkDep, actor: CurrentActor
) -> ModeratedOut:
    """Masquer une demande avec un motif (comme une offre)."""
    async with work.begin() as uow:
        request = await moderation.hide_request(uow, actor, request_id, body.reason)
    return ModeratedOut.of(request)


@router.post("/requests/{request_id}/show")
async def show_request(request_id: UUID, work: WorkDep, actor: CurrentActor) -> ModeratedOut:
    """Réafficher une demande masquée."""
    async with work.begin() as uow:
        request = await moderation.show_request(uow, actor, request_id)
    return ModeratedOut.of(request)
