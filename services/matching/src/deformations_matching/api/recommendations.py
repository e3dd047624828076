"""Recommendations: next modules à la carte from a diagnosis, the rebond after a module."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from deformations_common.auth import CurrentPrincipal
from deformations_common.errors import NotFound, Unprocessable
from deformations_common.service import RuntimeDep
from deformations_contracts.catalogue import load_catalogue
from deformations_matching.domain.recommendations import Profile, Recommendation, rebond, recommend
from deformations_matching.repositories import read_models

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])

Done = Annotated[list[str], Query(description="Recipe codes already followed.")]


class RecommendationOut(BaseModel):
    code: str
    title: str
    reason: str


def _out(items: list[Recommendation]) -> list[RecommendationOut]:
    return [RecommendationOut(code=r.code, title=r.title, reason=r.reason) for r in items]


@router.get("/me")
async def for_me(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    done: Done = [],  # noqa: B006
) -> list[RecommendationOut]:
    """Next recipes à la carte from your latest diagnosis."""
    async with runtime.pool.acquire() as conn:
        diagnosis = (await read_models.latest_diagnoses(conn, [principal.sub])).get(principal.sub)
    if diagnosis is None:
        raise NotFound(
            "Aucun autodiagnostic connu pour vous : commencez par le questionnaire.",
            code="no_diagnosis",
        )
    profile = Profile(
        axis_scores=diagnosis.axis_scores,
        time_slots=frozenset(diagnosis.time_slots),
        half_days_per_month=diagnosis.half_days_per_month,
        next_steps=[s["recipe_code"] for s in diagnosis.next_steps],
    )
    return _out(recommend(profile, load_catalogue(), done=set(done)))


@router.get("/rebond")
async def after_module(
    after: Annotated[str, Query(description="Code of the module just followed.")],
    principal: CurrentPrincipal,
    done: Done = [],  # noqa: B006
) -> list[RecommendationOut]:
    """The "rebond": where to go after a module."""
    try:
        return _out(rebond(after, load_catalogue(), done=set(done)))
    except KeyError as exc:
        raise Unprocessable(
            f"Le module « {after} » n'existe pas dans le catalogue.", code="unknown_recipe"
        ) from exc
