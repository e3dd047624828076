"""The review of a café cycle after three months (« faire un bilan … via un questionnaire
individuel »): the questions come from the recipe's « on sera content si… » and aims.

Each answer is a 1–5 agreement. Answers are private until their author shares them; the
shared view counts the answers of those who shared, and shows counts only from
``MIN_SHARED`` of them, so that nobody's answer can be read off the aggregate.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

REVIEW_AFTER_MONTHS = 3
MIN_SHARED = 3
SCALE = (1, 2, 3, 4, 5)

# code → the statement a participant rates from 1 (pas du tout) to 5 (tout à fait).
QUESTIONS: Mapping[str, str] = {
    "comprehension": (
        "Le format informel et réflexif nous a permis de construire des clés de "
        "compréhension communes."
    ),
    "rituel": (
        "La régularité a installé un rituel frugal de retour sur expérience et de relation."
    ),
    "roles": "Je comprends mieux les rôles et missions de chacun, élu·e et technicien·ne.",
    "projets": (
        "Nos cafés ont amélioré la conduite de nos projets (qualité, relations, résultats)."
    ),
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_opens(first_day: date) -> date:
    return add_months(first_day, REVIEW_AFTER_MONTHS)


@dataclass(frozen=True, slots=True)
class Review:
    person_id: str
    scores: Mapping[str, int]
    free_text: str | None
    shared: bool
    share_text: bool


@dataclass(frozen=True, slots=True)
class SharedReview:
    shared: int  # how many participants shared their answers
    counts: Mapping[str, Mapping[int, int]] | None  # None below MIN_SHARED
    texts: tuple[str, ...]


def shared_view(reviews: Sequence[Review]) -> SharedReview:
    """What everybody may see: only shared answers, counted, and only the free texts their
    authors chose to show; texts are sorted so their order does not tell who wrote them."""
    shared = [r for r in reviews if r.shared]
    counts = None
    if len(shared) >= MIN_SHARED:
        counts = {
            code: {n: sum(1 for r in shared if r.scores.get(code) == n) for n in SCALE}
            for code in QUESTIONS
        }
    texts = tuple(sorted(r.free_text for r in shared if r.share_text and r.free_text))
    return SharedReview(len(shared), counts, texts)
