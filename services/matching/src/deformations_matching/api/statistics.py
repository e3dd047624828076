"""Aggregate views of the diagnoses matching knows (anonymous ones included)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, StringConstraints

from deformations_common.auth import CurrentPrincipal
from deformations_common.service import RuntimeDep
from deformations_contracts.themes import label
from deformations_matching.repositories import read_models

router = APIRouter(prefix="/v1/statistics", tags=["statistics"])

# Aggregates never show a group smaller than this (nobody can be singled out).
MIN_GROUP = 3

Departement = Annotated[str, StringConstraints(pattern=r"^(?:[0-9]{2,3}|2A|2B)$")]


class ThemeCount(BaseModel):
    theme: str
    label: str
    diagnoses: int


@router.get("/themes")
async def themes(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    departement: Annotated[Departement | None, Query()] = None,
) -> list[ThemeCount]:
    """Priority themes of the élus' diagnoses, most shared first (groups under 3 hidden)."""
    async with runtime.pool.acquire() as conn:
        rows = await read_models.theme_statistics(conn, departement)
    return [
        ThemeCount(theme=r["theme"], label=label(r["theme"]), diagnoses=r["diagnoses"])
        for r in rows
        if r["diagnoses"] >= MIN_GROUP
    ]
