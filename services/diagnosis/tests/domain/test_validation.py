from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.errors import (
    MissingAnswerError,
    SubmissionError,
    TooManyAnswersError,
    UnknownAnswerError,
    UnknownItemError,
    WrongVersionError,
)
from deformations_diagnosis.domain.submission import (
    Submission,
    submission_problems,
    validate_submission,
)

from ..conftest import complete_submissions, first_options  # noqa: TID252 (shared strategies)

Q = load_questionnaire()


def _submit(q: Questionnaire, **changes: tuple[str, ...]) -> Submission:
    return Submission(questionnaire_version=q.version, answers={**first_options(q), **changes})


def test_a_complete_submission_is_valid(questionnaire: Questionnaire) -> None:
    valid = validate_submission(questionnaire, _submit(questionnaire))
    assert set(valid.chosen) == {i.id for i in questionnaire.items}


def test_wrong_version(questionnaire: Questionnaire) -> None:
    submission = Submission(
        questionnaire_version="2025-01-v1", answers=first_options(questionnaire)
    )
    with pytest.raises(WrongVersionError) as caught:
        validate_submission(questionnaire, submission)
    assert caught.value.code == "wrong_version"
    assert "version « 2025-01-v1 »" in caught.value.message
    assert "2025-01-v1" in caught.value.message_en


def test_unknown_item(questionnaire: Questionnaire) -> None:
    with pytest.raises(UnknownItemError) as caught:
        validate_submission(questionnaire, _submit(questionnaire, q_inventee=("a",)))
    assert caught.value.details == {"item": "q_inventee"}
    assert "n'existe pas" in caught.value.message


def test_unknown_answer(questionnaire: Questionnaire) -> None:
    with pytest.raises(UnknownAnswerError) as caught:
        validate_submission(questionnaire, _submit(questionnaire, q_climat=("z",)))
    assert caught.value.details == {"item": "q_climat", "answer": "z"}


def test_missing_required_item(questionnaire: Questionnaire) -> None:
    answers = first_options(questionnaire)
    del answers["p_plat"]
    with pytest.raises(MissingAnswerError) as caught:
        validate_submission(
            questionnaire, Submission(questionnaire_version=questionnaire.version, answers=answers)
        )
    assert caught.value.details == {"item": "p_plat"}
    assert "Il manque une réponse" in caught.value.message


def test_an_empty_answer_counts_as_missing(questionnaire: Questionnaire) -> None:
    with pytest.raises(MissingAnswerError):
        validate_submission(questionnaire, _submit(questionnaire, creneaux=()))


def test_two_answers_to_a_single_choice_item(questionnaire: Questionnaire) -> None:
    with pytest.raises(TooManyAnswersError) as caught:
        validate_submission(questionnaire, _submit(questionnaire, q_climat=("a", "b")))
    assert caught.value.details == {"item": "q_climat", "given": 2, "limit": 1}


def test_more_themes_than_allowed(questionnaire: Questionnaire) -> None:
    with pytest.raises(TooManyAnswersError):
        validate_submission(
            questionnaire, _submit(questionnaire, themes=("eau", "energie", "mobilite", "dechets"))
        )


def test_the_same_option_twice_is_refused(questionnaire: Questionnaire) -> None:
    with pytest.raises(TooManyAnswersError):
        validate_submission(questionnaire, _submit(questionnaire, creneaux=("tot", "tot")))


def test_every_problem_is_listed_in_a_stable_order(questionnaire: Questionnaire) -> None:
    answers = first_options(questionnaire)
    del answers["mandat"]
    answers["zz"] = ("a",)
    answers["q_climat"] = ("x",)
    problems = submission_problems(
        questionnaire, Submission(questionnaire_version=questionnaire.version, answers=answers)
    )
    assert [type(p) for p in problems] == [UnknownItemError, MissingAnswerError, UnknownAnswerError]


def test_every_error_has_distinct_code_and_both_languages() -> None:
    errors: list[SubmissionError] = [
        WrongVersionError("a", "b"),
        UnknownItemError("x"),
        UnknownAnswerError("x", "y"),
        TooManyAnswersError("x", 2, 1),
        MissingAnswerError("x"),
    ]
    assert len({e.code for e in errors}) == len(errors)
    for error in errors:
        assert error.message != error.message_en
        assert str(error) == error.message_en


@settings(max_examples=100, deadline=None)
@given(complete_submissions(Q), st.data())
def test_dropping_any_answer_of_a_valid_submission_is_detected(
    submission: Submission, data: st.DataObject
) -> None:
    item_id = data.draw(st.sampled_from(sorted(submission.answers)))
    answers = {k: v for k, v in submission.answers.items() if k != item_id}
    problems = submission_problems(Q, Submission(questionnaire_version=Q.version, answers=answers))
    assert [type(p) for p in problems] == [MissingAnswerError]
    assert problems[0].details["item"] == item_id


def test_oversized_input_is_refused_by_the_model(questionnaire: Questionnaire) -> None:
    with pytest.raises(ValidationError):
        Submission(
            questionnaire_version=questionnaire.version,
            answers={f"q{i}": ("a",) for i in range(61)},
        )
    with pytest.raises(ValidationError):
        Submission(questionnaire_version=questionnaire.version, answers={"themes": ("x" * 41,)})
