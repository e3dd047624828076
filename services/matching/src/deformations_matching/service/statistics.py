"""Aggregate views of the diagnoses matching knows (anonymous ones included)."""

from pydantic import BaseModel

from deformations_contracts.themes import label
from deformations_matching.service.uow import MatchingUow

# Aggregates never show a group smaller than this (nobody can be singled out).
MIN_GROUP = 3


class ThemeCount(BaseModel):
    theme: str
    label: str
    diagnoses: int


async def themes(uow: MatchingUow, departement: str | None) -> list[ThemeCount]:
    """Priority themes of the élus' diagnoses, most shared first (groups under 3 hidden);
    only those of the platform's territory, as every statistic of the Région."""
    scope = uow.scope
    within = None if scope.everywhere else sorted(scope.departements)
    rows = await uow.diagnoses.theme_statistics(departement, within)
    return [
        ThemeCount(theme=r["theme"], label=label(r["theme"]), diagnoses=r["diagnoses"])
        for r in rows
        if r["diagnoses"] >= MIN_GROUP
    ]
