"""Common slots of a set of people ("horaires décalés")."""

from uuid import UUID

from fastapi import APIRouter

from deformations_common.auth import CurrentPrincipal
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import slots
from deformations_matching.service.slots import SlotsIn, SlotsOut
from deformations_matching.service.uow import MatchingUow

router = APIRouter(prefix="/v1", tags=["slots"])


@router.post("/common-slots")
async def find_common_slots(
    body: SlotsIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SlotsOut:
    """The slots every member can attend, or who blocks each slot when there is none."""
    async with runtime.begin(MatchingUow) as uow:
        return await slots.find_common_slots(uow, principal, body)


@router.get("/peer-groups/{group_id}/common-slots")
async def group_common_slots(
    group_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SlotsOut:
    """The group's common slots, or who blocks when there is none (members only)."""
    async with runtime.begin(MatchingUow) as uow:
        return await slots.group_common_slots(uow, principal, group_id)
