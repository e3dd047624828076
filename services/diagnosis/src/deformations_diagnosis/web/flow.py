"""Page-by-page navigation of the quiz, stateless: answers travel with the form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.errors import SubmissionError
from deformations_diagnosis.domain.submission import Submission, submission_problems


@dataclass(frozen=True, slots=True)
class Step:
    """Where the quiz goes after a page is posted.

    ``page`` is the page to show next, or ``None`` when the quiz is complete and the
    submission can be scored; ``problems`` are the errors to show on that page.
    """

    page: int | None
    problems: tuple[SubmissionError, ...] = ()


def page_problems(
    q: Questionnaire, page: int, answers: Mapping[str, Sequence[str]]
) -> list[SubmissionError]:
    """Problems of the answers given on one page only."""
    on_page = set(q.sections[page].items)
    submission = Submission(
        questionnaire_version=q.version,
        answers={k: tuple(v) for k, v in answers.items() if k in on_page},
    )
    return [
        p
        for p in submission_problems(q, submission)
        if isinstance(p.details.get("item"), str) and p.details["item"] in on_page
    ]


def after_post(q: Questionnaire, page: int, nav: str, answers: Mapping[str, Sequence[str]]) -> Step:
    """``nav`` is ``"prev"`` (no check: going back never blocks) or ``"next"``."""
    if not 0 <= page < len(q.sections):
        return Step(page=0)
    if nav == "prev":
        return Step(page=max(0, page - 1))
    problems = page_problems(q, page, answers)
    if problems:
        return Step(page=page, problems=tuple(problems))
    if page + 1 < len(q.sections):
        return Step(page=page + 1)
    return Step(page=None)
