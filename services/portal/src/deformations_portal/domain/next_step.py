"""From the quiz's « prochain pas » to the training offers that fit it.

The quiz names a format of the booklet (« le café formation mensuel », « un premier
module à la carte »…) fitted to the time the élu has. Training offers have formats of
their own; this table says which one each next step is, when it is one (a peer group or
a speed dating is not a training offer: then any format on her theme will do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from deformations_contracts.themes import Theme

# Next-step format of the questionnaire → training offer format.
TRAINING_FORMAT_OF_STEP: Mapping[str, str] = {
    "podcast": "e_learning",
    "cafe_formation": "cafe",
    "cafe_elus_techniciens": "cafe",
    "cycle_a_la_carte": "half_day",
    "atelier_macro_micro": "half_day",
    "non_conference": "half_day",
    "boussole_participation": "evening",
    "elus_enqueteurs": "visit",
}
SHOWN = 3
MAX_MINUTES = 60 * 24 * 31


@dataclass(frozen=True, slots=True)
class StepSearch:
    """What to ask training for: the step's format (if it has one), her first priority
    theme, and the time she has each month."""

    format: str | None
    theme: str | None
    minutes: int | None

    def searches(self) -> list[dict[str, str]]:
        """The searches, best first: format and theme, then the theme alone."""
        base = {"limit": str(SHOWN)}
        if self.minutes is not None:
            base["minutes"] = str(self.minutes)
        theme = {"theme": self.theme} if self.theme else {}
        tries = []
        if self.format:
            tries.append({**base, **theme, "format": self.format})
        if self.theme or not self.format:
            tries.append({**base, **theme})
        return tries


def step_search(step_code: str | None, theme: str | None, minutes: str | int | None) -> StepSearch:
    """From untrusted query values: what is not understood is left out, never an error."""
    known_themes = {t.value for t in Theme}
    try:
        time = int(minutes) if minutes not in (None, "") else None
    except (TypeError, ValueError):
        time = None
    if time is not None and not 0 <= time <= MAX_MINUTES:
        time = None
    return StepSearch(
        format=TRAINING_FORMAT_OF_STEP.get(step_code or ""),
        theme=theme if theme in known_themes else None,
        minutes=time,
    )
