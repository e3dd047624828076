"""Speed dating entre voisins: a reproducible, audited plan of 1-to-1 rounds for an EPCI."""

from uuid import UUID

from fastapi import APIRouter, status

from deformations_common.auth import CurrentPrincipal
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import speed_dating, speed_dating_audit, speed_dating_marks
from deformations_matching.service.speed_dating import SpeedDatingIn, SpeedDatingOut
from deformations_matching.service.speed_dating_audit import AuditOut
from deformations_matching.service.speed_dating_marks import MarksIn, MarksOut, RotationOut
from deformations_matching.service.uow import MatchingUow

router = APIRouter(prefix="/v1", tags=["speed dating"])


@router.post("/speed-datings", status_code=status.HTTP_201_CREATED)
async def plan(
    body: SpeedDatingIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SpeedDatingOut:
    """Plan the rounds: no pair meets twice (nor again after an earlier gathering of the
    EPCI), two élus of one commune never meet. Publishes the rotation and one session per
    round."""
    async with runtime.begin(MatchingUow) as uow:
        return await speed_dating.plan(uow, principal, body)


@router.get("/speed-datings/{gathering_id}")
async def get_plan(
    gathering_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SpeedDatingOut:
    async with runtime.begin(MatchingUow) as uow:
        return await speed_dating_audit.get_plan(uow, principal, gathering_id)


@router.get("/speed-datings/{gathering_id}/audit")
async def audit_plan(
    gathering_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> AuditOut:
    """Check the stored plan again, and replay it from its seed: the same rounds come out."""
    async with runtime.begin(MatchingUow) as uow:
        return await speed_dating_audit.audit_plan(uow, principal, gathering_id)


@router.get("/speed-datings/{gathering_id}/rotation")
async def rotation(
    gathering_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> RotationOut:
    """The rotation table, one row per participant, to print or project."""
    async with runtime.begin(MatchingUow) as uow:
        return await speed_dating_marks.rotation(uow, principal, gathering_id)


@router.put("/speed-datings/{gathering_id}/marks")
async def mark(
    gathering_id: UUID, body: MarksIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> MarksOut:
    """After the evening, whom I would like to see again among the people I met."""
    async with runtime.begin(MatchingUow) as uow:
        return await speed_dating_marks.mark(uow, principal, gathering_id, body)


@router.get("/speed-datings/{gathering_id}/marks")
async def my_marks(
    gathering_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> MarksOut:
    """My marks and the mutual ones (« atomes crochus »), for the contact relay."""
    async with runtime.begin(MatchingUow) as uow:
        return await speed_dating_marks.my_marks(uow, principal, gathering_id)
