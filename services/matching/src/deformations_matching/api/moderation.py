"""Operators moderate the appels à pairs: the recent ones, hide with a reason, show again."""

from uuid import UUID

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import moderation
from deformations_matching.service.moderation import HideIn, ModeratedCallOut
from deformations_matching.service.uow import MatchingUow

router = APIRouter(prefix="/v1/operations/moderation", tags=["moderation"])


@router.get("/peer-calls")
async def recent_calls(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[ModeratedCallOut]:
    """The newest appels à pairs, hidden or not (operators only)."""
    async with runtime.begin(MatchingUow) as uow:
        return await moderation.recent(uow, principal, limit)


@router.post("/peer-calls/{call_id}/hide")
async def hide(
    call_id: UUID, body: HideIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ModeratedCallOut:
    """Hide the call from everyone but its author, who is told why (``content.hidden.v1``)."""
    async with runtime.begin(MatchingUow) as uow:
        return await moderation.hide(uow, principal, call_id, body)


@router.post("/peer-calls/{call_id}/show")
async def show(call_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> ModeratedCallOut:
    """Show a hidden call again."""
    async with runtime.begin(MatchingUow) as uow:
        return await moderation.show(uow, principal, call_id)
