"""Evaluations: satisfaction after an offer, impact at 6 and 12 months (thématique 1,
« un outil pour évaluer les impacts, à moyen et long termes, d'une formation »).

Questionnaires are due once the élu followed the offer. Results per offer and per body
are shown only from ``MIN_ANSWERS`` answers, so that nobody's answer can be singled out
(DESIGN §5: nothing about groups smaller than 3 people).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from statistics import mean
from uuid import UUID

from deformations_contracts.events.training import EvaluationKind
from deformations_training.domain.errors import InvalidTrainingInput, InvalidTransition

MIN_ANSWERS = 3
# An announced questionnaire still unanswered after this is announced once more.
REMINDER_AFTER = timedelta(days=14)

__all__ = ["MIN_ANSWERS", "REMINDER_AFTER", "Evaluation", "EvaluationKind", "Results"]

# The questions of each questionnaire: a 1–5 scale each, and one count for impact.
QUESTIONS: Mapping[EvaluationKind, tuple[str, ...]] = {
    EvaluationKind.SATISFACTION: ("overall", "usefulness", "format_fit"),
    EvaluationKind.IMPACT_6_MONTHS: ("put_into_practice", "confidence", "shared_with_team"),
    EvaluationKind.IMPACT_12_MONTHS: ("put_into_practice", "confidence", "shared_with_team"),
}
# For impact: how many actions the élu started in their collectivité since the training.
ACTIONS = "actions_started"


@dataclass(frozen=True, slots=True)
class Evaluation:
    id: UUID
    enrolment_id: UUID
    offer_id: UUID
    person_id: str
    kind: EvaluationKind
    due_at: datetime
    # The session a satisfaction questionnaire is about (one after each session).
    session_id: UUID | None = None
    notified_at: datetime | None = None
    answered_at: datetime | None = None
    answers: Mapping[str, int] | None = None
    reminded_at: datetime | None = None


def add_months(at: datetime, months: int) -> datetime:
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)


def impact_schedule(ended_at: datetime) -> list[tuple[EvaluationKind, datetime]]:
    """When the impact questionnaires are due after an offer that ended at ``ended_at``
    (the satisfaction questionnaire is due at the end of each session attended)."""
    return [
        (EvaluationKind.IMPACT_6_MONTHS, add_months(ended_at, 6)),
        (EvaluationKind.IMPACT_12_MONTHS, add_months(ended_at, 12)),
    ]


def check_answers(kind: EvaluationKind, answers: Mapping[str, int]) -> dict[str, int]:
    expected = set(QUESTIONS[kind]) | (
        {ACTIONS} if kind is not EvaluationKind.SATISFACTION else set()
    )
    if set(answers) != expected:
        raise InvalidTrainingInput(
            "Répondez à chaque question, et à elles seules : " + ", ".join(sorted(expected)) + ".",
            expected=sorted(expected),
        )
    for question in QUESTIONS[kind]:
        if not 1 <= answers[question] <= 5:
            raise InvalidTrainingInput("Chaque note va de 1 à 5.", field=question)
    if ACTIONS in answers and not 0 <= answers[ACTIONS] <= 50:
        raise InvalidTrainingInput("Le nombre d'actions va de 0 à 50.", field=ACTIONS)
    return dict(answers)


def answer(evaluation: Evaluation, answers: Mapping[str, int], now: datetime) -> Evaluation:
    if evaluation.answered_at is not None:
        raise InvalidTransition("Ce questionnaire a déjà reçu une réponse.")
    if evaluation.due_at > now:
        raise InvalidTransition("Ce questionnaire n'est pas encore ouvert.")
    checked = check_answers(evaluation.kind, answers)
    return replace(evaluation, answered_at=now, answers=checked)


def score(evaluation: Evaluation) -> int:
    """The answer in one 1–5 note, for the Région's statistics: its notes averaged,
    halves rounded up (the count of actions of an impact questionnaire is left out)."""
    if evaluation.answers is None:
        raise InvalidTransition("Ce questionnaire n'a pas encore reçu de réponse.")
    notes = [evaluation.answers[q] for q in QUESTIONS[evaluation.kind]]
    return int(mean(notes) + 0.5)


@dataclass(frozen=True, slots=True)
class Results:
    kind: EvaluationKind
    answers: int
    # Mean of each question; None while fewer than MIN_ANSWERS answered.
    means: Mapping[str, float] | None

    @property
    def shown(self) -> bool:
        return self.means is not None


def results(kind: EvaluationKind, answered: Sequence[Mapping[str, int]]) -> Results:
    if len(answered) < MIN_ANSWERS:
        return Results(kind, len(answered), None)
    questions = list(QUESTIONS[kind]) + (
        [ACTIONS] if kind is not EvaluationKind.SATISFACTION else []
    )
    return Results(
        kind,
        len(answered),
        {q: round(mean(a[q] for a in answered), 2) for q in questions},
    )
