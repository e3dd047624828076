"""Scoring: answers → axis scores → family placement, themes and a next step.

Everything here is a pure function of the questionnaire and the answers: the same answers
to the same version always give the same result, and a new version changes no past result.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from deformations_contracts.catalogue import Catalogue, load_catalogue
from deformations_contracts.themes import Theme
from deformations_contracts.types import Modality, TimeSlot
from deformations_diagnosis.content.model import ItemRole, Questionnaire
from deformations_diagnosis.domain.explanation import explain
from deformations_diagnosis.domain.next_step import choose_next_steps
from deformations_diagnosis.domain.results import (
    Availability,
    Clarity,
    FamilyDistance,
    IndividualResult,
    Situation,
)
from deformations_diagnosis.domain.submission import Submission, ValidAnswers, validate_submission

PRIORITY_THEME_COUNT = 3
_CLEAR_FROM = 0.25
_RATHER_CLEAR_FROM = 0.10


@dataclass(frozen=True, slots=True)
class AxisRange:
    low: int
    high: int


# Questionnaires are immutable but not hashable (they hold dicts): memoise by identity,
# keeping a reference so that an identity is never reused.
_RANGES: dict[int, tuple[Questionnaire, Mapping[str, AxisRange]]] = {}


def axis_ranges(questionnaire: Questionnaire) -> Mapping[str, AxisRange]:
    """Lowest and highest raw total each axis can reach (one answer per weighting item)."""
    memo = _RANGES.get(id(questionnaire))
    if memo is not None and memo[0] is questionnaire:
        return memo[1]
    ranges: dict[str, AxisRange] = {}
    for axis in questionnaire.axes:
        low = high = 0
        for item in questionnaire.items:
            values = [o.weights.get(axis.code, 0) for o in item.options]
            if any(values):
                low += min(values)
                high += max(values)
        ranges[axis.code] = AxisRange(low, high)
    _RANGES[id(questionnaire)] = (questionnaire, ranges)
    return ranges


def axis_scores(answers: ValidAnswers) -> dict[str, float]:
    q = answers.questionnaire
    raw = dict.fromkeys((a.code for a in q.axes), 0)
    for item in q.items:
        for option_id in answers.chosen[item.id]:
            for axis, weight in item.option(option_id).weights.items():
                raw[axis] += weight
    ranges = axis_ranges(q)
    scores: dict[str, float] = {}
    for axis, total in raw.items():
        r = ranges[axis]
        # An unanswered optional item counts as 0, which may sit outside [low, high].
        span = r.high - r.low
        value = 50.0 if span == 0 else 100.0 * (total - r.low) / span
        scores[axis] = round(min(100.0, max(0.0, value)), 1)
    return scores


def family_distances(q: Questionnaire, scores: Mapping[str, float]) -> tuple[FamilyDistance, ...]:
    """Root-mean-square distance to each family centroid (0–100), nearest first, ties by order."""
    rows = []
    for index, family in enumerate(q.families):
        squares = sum((scores[a] - family.centroid[a]) ** 2 for a in scores)
        rows.append((round(math.sqrt(squares / len(scores)), 3), index, family.code))
    rows.sort()
    return tuple(FamilyDistance(family=code, distance=d) for d, _, code in rows)


def clarity_of(distances: tuple[FamilyDistance, ...]) -> tuple[float, Clarity]:
    first, second = distances[0].distance, distances[1].distance
    total = first + second
    index = 0.0 if total == 0 else round((second - first) / total, 3)
    if index >= _CLEAR_FROM:
        return index, Clarity.CLEAR
    if index >= _RATHER_CLEAR_FROM:
        return index, Clarity.RATHER_CLEAR
    return index, Clarity.SHARED


def priority_themes(answers: ValidAnswers, family_order: tuple[str, ...]) -> tuple[Theme, ...]:
    """Themes the élu picked come first, then those their answers carry; families fill in."""
    q = answers.questionnaire
    counts: Counter[Theme] = Counter()
    explicit: set[Theme] = set()
    for item in q.items:
        for option_id in answers.chosen[item.id]:
            for theme in item.option(option_id).themes:
                counts[theme] += 1
                if item.role is ItemRole.PRIORITY_THEMES:
                    explicit.add(theme)
    family_rank: dict[Theme, int] = {}
    for code in family_order[:2]:
        for theme in q.family(code).themes:
            family_rank.setdefault(theme, len(family_rank))
    enum_rank = {t: i for i, t in enumerate(Theme)}
    ranked = sorted(
        counts,
        key=lambda t: (
            t not in explicit,
            -counts[t],
            family_rank.get(t, len(family_rank)),
            enum_rank[t],
        ),
    )
    chosen = ranked[:PRIORITY_THEME_COUNT]
    for theme in family_rank:
        if len(chosen) >= PRIORITY_THEME_COUNT:
            break
        if theme not in chosen:
            chosen.append(theme)
    return tuple(chosen)


def _values(answers: ValidAnswers, role: ItemRole) -> list[str]:
    q = answers.questionnaire
    return [
        q.item(item.id).option(o).value or o
        for item in q.items_with_role(role)
        for o in answers.chosen[item.id]
    ]


def availability(answers: ValidAnswers) -> Availability:
    q = answers.questionnaire
    (budget_item,) = q.items_with_role(ItemRole.TIME_BUDGET)
    minutes = [budget_item.option(o).minutes_per_month or 0 for o in answers.chosen[budget_item.id]]
    modality = _values(answers, ItemRole.MODALITY)
    slot_order = list(TimeSlot)
    slots = sorted(
        {TimeSlot(v) for v in _values(answers, ItemRole.TIME_SLOTS)}, key=slot_order.index
    )
    return Availability(
        minutes_per_month=min(minutes, default=0),
        slots=tuple(slots),
        modality=Modality(modality[0]) if modality else Modality.EITHER,
    )


def situation(answers: ValidAnswers) -> Situation:
    def one(role: ItemRole) -> str | None:
        values = _values(answers, role)
        return values[0] if values else None

    first = one(ItemRole.FIRST_MANDATE)
    return Situation(
        mandate=one(ItemRole.MANDATE),
        delegation=one(ItemRole.DELEGATION),
        profession=one(ItemRole.PROFESSION),
        first_mandate=None if first is None else first == "true",
    )


def score(answers: ValidAnswers, catalogue: Catalogue | None = None) -> IndividualResult:
    q = answers.questionnaire
    catalogue = catalogue or load_catalogue()
    scores = axis_scores(answers)
    distances = family_distances(q, scores)
    clarity_index, clarity = clarity_of(distances)
    order = tuple(d.family for d in distances)
    themes = priority_themes(answers, order)
    avail = availability(answers)
    steps = choose_next_steps(q, catalogue, order[0], order[1], avail)
    return IndividualResult(
        questionnaire_version=q.version,
        axis_scores=scores,
        family=order[0],
        second_family=order[1],
        clarity_index=clarity_index,
        clarity=clarity,
        distances=distances,
        explanation=explain(q, scores, order[0], order[1], clarity),
        priority_themes=themes,
        availability=avail,
        situation=situation(answers),
        next_step=steps[0],
        alternatives=steps[1:],
    )


def score_submission(
    questionnaire: Questionnaire, submission: Submission, catalogue: Catalogue | None = None
) -> IndividualResult:
    """Validate then score; raises a ``SubmissionError`` for a submission that does not fit."""
    return score(validate_submission(questionnaire, submission), catalogue)
