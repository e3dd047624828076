"""A submission and its validation against the questionnaire version it answered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.errors import (
    MissingAnswerError,
    SubmissionError,
    TooManyAnswersError,
    UnknownAnswerError,
    UnknownItemError,
    WrongVersionError,
)

# Bounds well above any questionnaire, so that oversized input is refused before any work.
_Id = Annotated[str, StringConstraints(min_length=1, max_length=40)]
_Choices = Annotated[tuple[_Id, ...], Field(max_length=30)]


class Submission(BaseModel):
    """What a respondent sends: option ids per item id (one for a single-choice item)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    questionnaire_version: str = Field(min_length=1, max_length=40)
    answers: dict[_Id, _Choices] = Field(max_length=60)

    @classmethod
    def of(cls, version: str, answers: Mapping[str, str | Sequence[str]]) -> Submission:
        """Convenience: a single option id may be given as a plain string."""
        return cls(
            questionnaire_version=version,
            answers={k: (v,) if isinstance(v, str) else tuple(v) for k, v in answers.items()},
        )


@dataclass(frozen=True, slots=True)
class ValidAnswers:
    """Answers known to fit ``questionnaire``: only ``validate_submission`` makes them."""

    questionnaire: Questionnaire
    chosen: Mapping[str, tuple[str, ...]]


def submission_problems(
    questionnaire: Questionnaire, submission: Submission
) -> list[SubmissionError]:
    """Every problem of a submission, in a stable order (to show them all on the quiz page)."""
    if submission.questionnaire_version != questionnaire.version:
        return [WrongVersionError(submission.questionnaire_version, questionnaire.version)]
    problems: list[SubmissionError] = []
    known = {item.id: item for item in questionnaire.items}
    for item_id in sorted(set(submission.answers) - set(known)):
        problems.append(UnknownItemError(item_id))
    for item in questionnaire.items:
        given = submission.answers.get(item.id, ())
        option_ids = {o.id for o in item.options}
        problems.extend(UnknownAnswerError(item.id, o) for o in given if o not in option_ids)
        distinct = len(set(given))
        if distinct > item.limit or distinct != len(given):
            problems.append(TooManyAnswersError(item.id, len(given), item.limit))
        if item.required and not given:
            problems.append(MissingAnswerError(item.id))
    return problems


def validate_submission(questionnaire: Questionnaire, submission: Submission) -> ValidAnswers:
    """The submission's answers, or the first of its problems raised."""
    problems = submission_problems(questionnaire, submission)
    if problems:
        raise problems[0]
    chosen = {item.id: submission.answers.get(item.id, ()) for item in questionnaire.items}
    return ValidAnswers(questionnaire=questionnaire, chosen=chosen)
