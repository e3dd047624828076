"""Aggregate views of the diagnoses matching knows (anonymous ones included)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from deformations_common.auth import CurrentPrincipal
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import statistics
from deformations_matching.service.statistics import ThemeCount
from deformations_matching.service.uow import MatchingUow

router = APIRouter(prefix="/v1/statistics", tags=["statistics"])

Departement = Annotated[str, StringConstraints(pattern=r"^(?:[0-9]{2,3}|2A|2B)$")]


@router.get("/themes")
async def themes(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    departement: Annotated[Departement | None, Query()] = None,
) -> list[ThemeCount]:
    """Priority themes of the élus' diagnoses, most shared first (groups under 3 hidden)."""
    async with runtime.begin(MatchingUow) as uow:
        return await statistics.themes(uow, departement)
