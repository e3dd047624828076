"""The co-dev des formateurs (booklet, thématique 11): a trainers' community.

Joining means accepting its informal charter (transparence, bienveillance,
non-concurrence, écoute). A session lasts two hours at most, in the booklet's six steps;
the case is the session's material and the group's shared output — the material of the
« visibilité » step — is visible to every trainer of the platform, not only the group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

CODEV = "t11_codev_formateurs"
OUTPUT_STEP = "visibilite"

CHARTER = (
    "Transparence : je partage mes pratiques et mes outils.",
    "Bienveillance : j'écoute sans juger.",
    "Non-concurrence : ce qui se dit ici ne sert pas à démarcher les clients des autres.",
    "Écoute : je laisse chacun aller au bout de son exposé.",
)

# The six steps of a session, with their length in minutes (the booklet's, « 5 à 10 min »
# for the last taken at its upper bound): 95 minutes, within the two hours.
SESSION_STEPS: tuple[tuple[str, int], ...] = (
    ("Exposé de la problématique", 5),
    ("Questions de clarification", 15),
    ("Contrat", 5),
    ("Consultation", 40),
    ("Synthèse et plan d'actions", 15),
    ("Régulation et apprentissage", 10),
)


@dataclass(frozen=True, slots=True)
class AgendaItem:
    title: str
    starts_at: datetime
    ends_at: datetime


def session_agenda(starts_at: datetime) -> list[AgendaItem]:
    """The timed agenda of a co-development session starting at ``starts_at``."""
    items: list[AgendaItem] = []
    at = starts_at
    for title, minutes in SESSION_STEPS:
        end = at + timedelta(minutes=minutes)
        items.append(AgendaItem(title, at, end))
        at = end
    return items
