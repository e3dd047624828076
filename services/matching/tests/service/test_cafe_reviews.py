"""The three-month review of a café cycle: private answers, shared ones counted from three."""

from datetime import timedelta
from uuid import UUID

import pytest
from pydantic import ValidationError

from deformations_common.auth import Principal
from deformations_matching.domain.cafe_review import QUESTIONS
from deformations_matching.domain.errors import NotAllowed, ReviewNotOpen
from deformations_matching.service import cafe_reviews, cafes
from deformations_matching.service.cafe_reviews import ReviewIn

from .fakes import FakeUow, ManualClock
from .people import with_roles
from .test_cafes_and_speed_dating import SIREN, cafe, known_people

__all__ = ["known_people"]

HR = with_roles("rh-1", "hr", authority=SIREN)


def review(score: int, **changes: object) -> ReviewIn:
    return ReviewIn.model_validate({"scores": dict.fromkeys(QUESTIONS, score), **changes})


def member(person: str) -> Principal:
    return with_roles(person, "agent", authority=SIREN)


async def a_cycle(uow: FakeUow, clock: ManualClock) -> UUID:
    out = await cafes.plan_cafe(uow, HR, cafe(clock.now.date() + timedelta(days=7)))
    return out.cycle_id


async def test_the_review_opens_three_months_after_the_first_cafe(
    uow: FakeUow, clock: ManualClock
) -> None:
    cycle = await a_cycle(uow, clock)
    mine = await cafe_reviews.my_review(uow, member("elu-a"), cycle)
    assert not mine.open and mine.may_answer and mine.mine is None
    with pytest.raises(ReviewNotOpen) as early:
        await cafe_reviews.answer_review(uow, member("elu-a"), cycle, review(4))
    assert early.value.status == 409 and "trois mois après le premier café" in early.value.message
    assert (await cafe_reviews.shared_review(uow, HR, cycle)).shared == 0
    clock.advance(timedelta(days=7 + 92))
    assert (await cafe_reviews.my_review(uow, member("elu-a"), cycle)).open
    # Someone of the collectivité who was not paired does not answer.
    with pytest.raises(NotAllowed):
        await cafe_reviews.answer_review(uow, HR, cycle, review(4))


async def test_answering_again_replaces_and_only_shared_answers_are_counted_from_three(
    uow: FakeUow, clock: ManualClock
) -> None:
    cycle = await a_cycle(uow, clock)
    clock.advance(timedelta(days=100))
    await cafe_reviews.answer_review(
        uow, member("elu-a"), cycle, review(2, free_text="Secret d'élu", shared=False)
    )
    again = await cafe_reviews.answer_review(
        uow, member("elu-a"), cycle, review(5, free_text="Un rituel précieux", shared=True)
    )
    assert again.scores["roles"] == 5 and not again.share_text
    mine = await cafe_reviews.my_review(uow, member("elu-a"), cycle)
    assert mine.mine is not None and mine.mine.free_text == "Un rituel précieux"
    # Another participant sees none of elu-a's own answers.
    assert (await cafe_reviews.my_review(uow, member("tech-a"), cycle)).mine is None
    await cafe_reviews.answer_review(
        uow, member("tech-a"), cycle, review(3, free_text="À garder", shared=True, share_text=True)
    )
    two = await cafe_reviews.shared_review(uow, HR, cycle)
    assert two.shared == 2 and all(q.counts is None for q in two.questions)
    assert two.texts == ["À garder"]
    # An unshared answer is never counted nor quoted.
    await cafe_reviews.answer_review(
        uow, member("elu-b"), cycle, review(1, free_text="Pas pour vous", share_text=True)
    )
    still = await cafe_reviews.shared_review(uow, HR, cycle)
    assert still.shared == 2 and all(q.counts is None for q in still.questions)
    assert "Pas pour vous" not in still.texts
    await cafe_reviews.answer_review(uow, member("tech-b"), cycle, review(3, shared=True))
    three = await cafe_reviews.shared_review(uow, member("tech-b"), cycle)
    assert three.shared == 3
    assert {q.code: q.counts for q in three.questions}["roles"] == {1: 0, 2: 0, 3: 2, 4: 0, 5: 1}
    assert three.texts == ["À garder"]


def test_a_review_answers_every_question_on_the_scale() -> None:
    with pytest.raises(ValidationError):
        review(6)
    with pytest.raises(ValidationError):
        ReviewIn.model_validate({"scores": {"roles": 3}})
    with pytest.raises(ValidationError):
        review(3, free_text="x" * 1001)
