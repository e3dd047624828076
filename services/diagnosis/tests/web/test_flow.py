from __future__ import annotations

from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.errors import MissingAnswerError, UnknownAnswerError
from deformations_diagnosis.web.flow import after_post, page_problems

from ..conftest import first_options  # noqa: TID252 (shared strategies)


def test_walking_through_every_page_ends_with_a_complete_quiz(questionnaire: Questionnaire) -> None:
    answers = first_options(questionnaire)
    page: int | None = 0
    visited = []
    while page is not None:
        visited.append(page)
        step = after_post(questionnaire, page, "next", answers)
        assert step.problems == ()
        page = step.page
    assert visited == list(range(len(questionnaire.sections)))


def test_a_page_with_a_missing_answer_stays_with_its_problem(questionnaire: Questionnaire) -> None:
    answers = first_options(questionnaire)
    del answers["q_petition"]
    step = after_post(questionnaire, 1, "next", answers)
    assert step.page == 1
    assert [type(p) for p in step.problems] == [MissingAnswerError]


def test_only_the_posted_page_is_checked(questionnaire: Questionnaire) -> None:
    # Page 0 is fine even though later pages are not answered yet.
    answers = {i: first_options(questionnaire)[i] for i in questionnaire.sections[0].items}
    assert after_post(questionnaire, 0, "next", answers).page == 1
    answers["mandat"] = ("empereur",)
    assert [type(p) for p in page_problems(questionnaire, 0, answers)] == [UnknownAnswerError]


def test_going_back_never_blocks(questionnaire: Questionnaire) -> None:
    assert after_post(questionnaire, 2, "prev", {}).page == 1
    assert after_post(questionnaire, 0, "prev", {}).page == 0
    assert after_post(questionnaire, 99, "next", {}).page == 0
