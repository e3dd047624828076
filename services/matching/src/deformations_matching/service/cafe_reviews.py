"""The three-month review of a café cycle: each participant answers alone, then shares."""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from deformations_common.auth import Principal
from deformations_common.vocabulary.french import PARIS, day_fr
from deformations_matching.domain.cafe_review import (
    MIN_SHARED,
    QUESTIONS,
    Review,
    review_opens,
    shared_view,
)
from deformations_matching.domain.errors import NotAllowed, ReviewNotOpen
from deformations_matching.service.cafes import CafeOut, cafe_cycle
from deformations_matching.service.uow import MatchingUow

Score = Annotated[int, Field(ge=1, le=5)]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: dict[str, Score]
    free_text: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
        | None
    ) = None
    shared: bool = False
    share_text: bool = False

    @model_validator(mode="after")
    def _every_question(self) -> "ReviewIn":
        if set(self.scores) != set(QUESTIONS):
            raise ValueError(
                "répondez une fois à chaque question du bilan : " + ", ".join(QUESTIONS)
            )
        return self


class ReviewOut(BaseModel):
    scores: dict[str, int]
    free_text: str | None
    shared: bool
    share_text: bool
    answered_at: datetime


class MyReviewOut(BaseModel):
    opens_on: date
    open: bool
    may_answer: bool
    questions: dict[str, str]
    mine: ReviewOut | None


class SharedQuestionOut(BaseModel):
    code: str
    statement: str
    counts: dict[int, int] | None  # answers per point of the scale; None below the threshold


class SharedReviewOut(BaseModel):
    opens_on: date
    shared: int
    threshold: int
    questions: list[SharedQuestionOut]
    texts: list[str]


def _paired(plan: CafeOut) -> set[str]:
    return {p for pair in plan.pairs for p in (pair.elu, pair.technicien)}


def _opens_on(row: dict[str, Any]) -> date:
    first_day: date = row["first_day"]
    return review_opens(first_day)


async def my_review(uow: MatchingUow, principal: Principal, cycle_id: UUID) -> MyReviewOut:
    """One's own answers only, whether shared or not."""
    row, plan = await cafe_cycle(uow, principal, cycle_id)
    opens_on = _opens_on(row)
    mine = next(
        (r for r in await uow.plans.cafe_reviews(cycle_id) if r["person_id"] == principal.sub),
        None,
    )
    return MyReviewOut(
        opens_on=opens_on,
        open=uow.now().astimezone(PARIS).date() >= opens_on,
        may_answer=principal.sub in _paired(plan),
        questions=dict(QUESTIONS),
        mine=ReviewOut.model_validate(mine) if mine else None,
    )


async def answer_review(
    uow: MatchingUow, principal: Principal, cycle_id: UUID, body: ReviewIn
) -> ReviewOut:
    """Answer (or answer again, replacing) the review of a cycle one took part in."""
    row, plan = await cafe_cycle(uow, principal, cycle_id)
    if principal.sub not in _paired(plan):
        raise NotAllowed("Seuls les binômes du cycle répondent à son bilan.")
    opens_on = _opens_on(row)
    if uow.now().astimezone(PARIS).date() < opens_on:
        raise ReviewNotOpen(
            f"Le bilan du cycle s'ouvre le {day_fr(opens_on)}, trois mois après le premier café."
        )
    review = {
        "person_id": principal.sub,
        "scores": dict(body.scores),
        "free_text": body.free_text,
        "shared": body.shared,
        "share_text": body.shared and body.share_text,
        "answered_at": uow.now(),
    }
    await uow.plans.save_cafe_review(cycle_id, review)
    return ReviewOut.model_validate(review)


async def shared_review(uow: MatchingUow, principal: Principal, cycle_id: UUID) -> SharedReviewOut:
    """The answers of those who shared them, counted, from MIN_SHARED of them."""
    row, _ = await cafe_cycle(uow, principal, cycle_id)
    view = shared_view(
        [
            Review(r["person_id"], r["scores"], r["free_text"], r["shared"], r["share_text"])
            for r in await uow.plans.cafe_reviews(cycle_id)
        ]
    )
    return SharedReviewOut(
        opens_on=_opens_on(row),
        shared=view.shared,
        threshold=MIN_SHARED,
        questions=[
            SharedQuestionOut(
                code=code,
                statement=statement,
                counts=dict(view.counts[code]) if view.counts is not None else None,
            )
            for code, statement in QUESTIONS.items()
        ],
        texts=list(view.texts),
    )
