"""Training bodies (organismes de formation) and their agrément for élus' training.

The collectivité's élus' training budget only pays for bodies holding the Ministry of
the Interior's agrément (CGCT art. L2123-16 for communes): the platform records whether
that agrément is known, with its reference, and says so wherever a price is spent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from deformations_training.domain.errors import InvalidTrainingInput

SIREN = re.compile(r"^[0-9]{9}$")


@dataclass(frozen=True, slots=True)
class TrainingBody:
    siren: str
    name: str
    # The reference of the agrément « formation des élus », when recorded.
    agrement_reference: str | None
    agrement_until: date | None
    registered_at: datetime

    def approved_on(self, day: date) -> bool:
        """Whether the body's agrément is recorded and valid on ``day``."""
        if self.agrement_reference is None:
            return False
        return self.agrement_until is None or day <= self.agrement_until


def register_body(
    *,
    siren: str,
    name: str,
    agrement_reference: str | None,
    agrement_until: date | None,
    now: datetime,
) -> TrainingBody:
    if not SIREN.match(siren):
        raise InvalidTrainingInput("Le SIREN d'un organisme compte 9 chiffres.", field="siren")
    name = name.strip()
    if not 3 <= len(name) <= 200:
        raise InvalidTrainingInput(
            "Le nom de l'organisme compte de 3 à 200 caractères.", field="name"
        )
    reference = (agrement_reference or "").strip() or None
    if reference is None and agrement_until is not None:
        raise InvalidTrainingInput(
            "Une date de fin d'agrément suppose la référence de l'agrément.",
            field="agrement_until",
        )
    return TrainingBody(siren, name, reference, agrement_until, now)
