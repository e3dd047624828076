"""Recommendations: next modules à la carte from a diagnosis, the rebond after a module."""

from typing import Annotated

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import recommendations
from deformations_matching.service.recommendations import RecommendationOut
from deformations_matching.service.uow import MatchingUow

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])

Done = Annotated[list[str], Query(description="Recipe codes already followed.")]


@router.get("/me")
async def for_me(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    done: Done = [],  # noqa: B006
) -> list[RecommendationOut]:
    """Next recipes à la carte from your latest diagnosis."""
    async with runtime.begin(MatchingUow) as uow:
        return await recommendations.for_me(uow, principal, set(done))


@router.get("/rebond")
async def after_module(
    after: Annotated[str, Query(description="Code of the module just followed.")],
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    done: Done = [],  # noqa: B006
) -> list[RecommendationOut]:
    """The "rebond": where to go after a module.

    When trainers proposed rebonds to you (training's `rebond.proposed.v1`), the answer is
    those you have not left, newest first, each with its `rebond_id` and `offer_id`. Only
    when no trainer proposed anything does it fall back to the booklet's table, from
    `after` (then `rebond_id` and `offer_id` are null). An unknown `after` is refused
    either way.
    """
    async with runtime.begin(MatchingUow) as uow:
        return await recommendations.after_module(uow, principal, after, set(done))
