"""The typology calibration report, for operators."""

from typing import Any

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal
from deformations_diagnosis.api.deps import RuntimeDep
from deformations_diagnosis.service import questionnaires
from deformations_diagnosis.service.calibration import calibration_report
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork

router = APIRouter(prefix="/v1", tags=["calibration"])


@router.get("/calibration")
async def calibration(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    version: str | None = Query(
        default=None, max_length=40, description="Default: the current version."
    ),
) -> dict[str, Any]:
    """How well the families separate the collected responses of a version, and which
    items discriminate: aggregates only, from the latest 2000 responses (operators)."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        chosen = version or await questionnaires.refresh(uow)
        report = await calibration_report(uow, principal, chosen)
    return report.model_dump(mode="json")
