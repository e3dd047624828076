"""Mon petit café mensuel élus/techniciens: pairs of a collectivité, three monthly slots."""

from uuid import UUID

from fastapi import APIRouter, Query, status

from deformations_common.auth import CurrentPrincipal
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import cafe_reviews, cafes
from deformations_matching.service.cafe_reviews import (
    MyReviewOut,
    ReviewIn,
    ReviewOut,
    SharedReviewOut,
)
from deformations_matching.service.cafes import CafeCycleOut, CafeIn, CafeOut, TopicIn, TopicOut
from deformations_matching.service.uow import MatchingUow

router = APIRouter(prefix="/v1", tags=["café élus–techniciens"])


@router.post("/cafes", status_code=status.HTTP_201_CREATED)
async def plan_cafe(body: CafeIn, runtime: RuntimeDep, principal: CurrentPrincipal) -> CafeOut:
    """Pair élus and technicians sharing a subject for a monthly café (default 8h–9h, three
    months); a pair of the previous cycle is not formed again."""
    async with runtime.begin(MatchingUow) as uow:
        return await cafes.plan_cafe(uow, principal, body)


@router.get("/cafes")
async def list_cafes(
    runtime: RuntimeDep, principal: CurrentPrincipal, limit: int = Query(default=50, ge=1, le=200)
) -> list[CafeCycleOut]:
    """The café cycles of the collectivité you act for, past and coming, latest first."""
    async with runtime.begin(MatchingUow) as uow:
        return await cafes.list_cafes(uow, principal, limit)


@router.get("/cafes/{cycle_id}")
async def get_cafe(cycle_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> CafeOut:
    async with runtime.begin(MatchingUow) as uow:
        return await cafes.get_cafe(uow, principal, cycle_id)


@router.get("/cafes/{cycle_id}/topics")
async def cafe_topics(
    cycle_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[TopicOut]:
    """The log of the topics the cycle's cafés discussed."""
    async with runtime.begin(MatchingUow) as uow:
        return await cafes.cafe_topics(uow, principal, cycle_id)


@router.post("/cafes/{cycle_id}/topics", status_code=status.HTTP_201_CREATED)
async def log_topic(
    cycle_id: UUID, body: TopicIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> TopicOut:
    """Note a topic discussed at a café of the cycle (its pairs and organisers)."""
    async with runtime.begin(MatchingUow) as uow:
        return await cafes.log_topic(uow, principal, cycle_id, body)


@router.get("/cafes/{cycle_id}/review/mine")
async def my_review(
    cycle_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> MyReviewOut:
    """The three-month review's questions, when it opens, and your own answers (only yours)."""
    async with runtime.begin(MatchingUow) as uow:
        return await cafe_reviews.my_review(uow, principal, cycle_id)


@router.put("/cafes/{cycle_id}/review/mine")
async def answer_review(
    cycle_id: UUID, body: ReviewIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ReviewOut:
    """Answer the review once the cycle is three months old (a pair's members only); answering
    again replaces your answers. 409 before it opens."""
    async with runtime.begin(MatchingUow) as uow:
        return await cafe_reviews.answer_review(uow, principal, cycle_id, body)


@router.get("/cafes/{cycle_id}/review")
async def shared_review(
    cycle_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SharedReviewOut:
    """The shared review: answers of those who shared them, counted from three of them, and
    the free texts their authors chose to show."""
    async with runtime.begin(MatchingUow) as uow:
        return await cafe_reviews.shared_review(uow, principal, cycle_id)
