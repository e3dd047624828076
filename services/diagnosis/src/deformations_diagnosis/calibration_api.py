"""The typology calibration report, for operators."""

import asyncio
from typing import Any

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal
from deformations_common.errors import Conflict
from deformations_common.service import RuntimeDep
from deformations_diagnosis import repository, service
from deformations_diagnosis.calibration_cli import report_for_answers
from deformations_diagnosis.content.loader import CURRENT_VERSION
from deformations_diagnosis.domain.calibration import MIN_RESPONSES

router = APIRouter(prefix="/v1", tags=["calibration"])
MAX_RESPONSES = 2000


@router.get("/calibration")
async def calibration(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    version: str = Query(default=CURRENT_VERSION, max_length=40),
) -> dict[str, Any]:
    """How well the families separate the collected responses of a version, and which
    items discriminate: aggregates only, from the latest 2000 responses."""
    principal.require("operator")
    q = service.questionnaire(version)
    async with runtime.pool.acquire() as conn:
        answers = await repository.answers_of_version(conn, q.version, MAX_RESPONSES)
    if len(answers) < MIN_RESPONSES:
        raise Conflict(
            f"La calibration demande au moins {MIN_RESPONSES} réponses à cette version "
            f"({len(answers)} pour l'instant).",
            code="not_enough_responses",
            minimum=MIN_RESPONSES,
            responses=len(answers),
        )
    # CPU-bound (k-means, silhouette): off the event loop.
    report = await asyncio.to_thread(report_for_answers, q, answers)
    return report.model_dump(mode="json")
