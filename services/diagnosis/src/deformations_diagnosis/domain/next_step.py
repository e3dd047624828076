"""The next step: a format and a booklet recipe fitted to the time an élu really has."""

from __future__ import annotations

from deformations_contracts.catalogue import Catalogue
from deformations_contracts.types import Modality, TimeSlot
from deformations_diagnosis.content.model import NextStepFormat, Questionnaire
from deformations_diagnosis.domain.results import Availability, NextStep

SLOT_LABELS: dict[TimeSlot, str] = {
    TimeSlot.EARLY_MORNING: "tôt le matin",
    TimeSlot.MORNING: "en matinée",
    TimeSlot.LUNCH: "à l'heure du déjeuner",
    TimeSlot.AFTERNOON: "l'après-midi",
    TimeSlot.EVENING: "en soirée",
    TimeSlot.WEEKEND: "le week-end",
}


def minutes_phrase(minutes: int) -> str:
    if minutes < 60:
        return "moins d'une heure"
    if minutes < 120:
        return "une heure"
    if minutes < 240:
        return "deux à trois heures"
    if minutes < 480:
        return "une demi-journée"
    return "une journée ou plus"


def modality_fits(person: Modality, fmt: Modality) -> bool:
    return person is Modality.EITHER or fmt is Modality.EITHER or person is fmt


def _fit(fmt: NextStepFormat, family: str, second: str, avail: Availability) -> float:
    if family in fmt.families:
        affinity = 3.0 - 0.5 * fmt.families.index(family)
    elif second in fmt.families:
        affinity = 1.5 - 0.25 * fmt.families.index(second)
    else:
        affinity = 0.0
    if not fmt.slots:
        slot = 0.5
    elif set(fmt.slots) & set(avail.slots):
        slot = 1.0
    else:
        slot = -1.0
    # Prefer the richest format that still fits: one hour free → the café, not the podcast.
    use_of_time = fmt.min_minutes_per_month / max(avail.minutes_per_month, 1)
    return affinity + slot + use_of_time


def _reason(fmt: NextStepFormat, q: Questionnaire, family: str, avail: Availability) -> str:
    when = [SLOT_LABELS[s] for s in fmt.slots if s in avail.slots]
    text = f"Avec {minutes_phrase(avail.minutes_per_month)} par mois"
    if when:
        text += f", disponible {when[0]}"
    text += ", ce format tient dans votre agenda"
    if family in fmt.families:
        text += f" et convient bien à la famille « {q.family(family).name} »"
    return text + "."


def choose_next_steps(
    q: Questionnaire,
    catalogue: Catalogue,
    family: str,
    second: str,
    avail: Availability,
    count: int = 3,
) -> tuple[NextStep, ...]:
    """Best first; never empty (every questionnaire has a format that fits anyone)."""
    candidates = [
        (index, fmt)
        for index, fmt in enumerate(q.formats)
        if fmt.min_minutes_per_month <= avail.minutes_per_month
        and modality_fits(avail.modality, fmt.modality)
    ]
    candidates.sort(key=lambda c: (-_fit(c[1], family, second, avail), c[0]))
    return tuple(
        NextStep(
            format_code=fmt.code,
            title=fmt.title,
            description=fmt.description,
            recipe_code=fmt.recipe_code,
            recipe_title=catalogue.title_of(fmt.recipe_code),
            reason=_reason(fmt, q, family, avail),
        )
        for _, fmt in candidates[:count]
    )
