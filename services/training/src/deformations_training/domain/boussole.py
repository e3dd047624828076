"""The boussole de la participation (booklet, thématique 9): « du XXS au XXL ».

The group surveys the participation dispositifs of 10 to 15 collectivités of every size
(the size class comes from the COG population), places each dispositif on a grid of
ambition (how much power the inhabitants get) against effort (what it costs the
collectivité), composes a roadmap of dispositifs to test per collectivité, then follows
what was tried and its effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_training.domain.errors import (
    InvalidTrainingInput,
    InvalidTransition,
    NotFound,
)

BOUSSOLE = "t09_boussole_participation"
MIN_SURVEYED, MAX_SURVEYED = 10, 15
SCALE = range(1, 6)  # ambition and effort, 1 to 5
MAX_DISPOSITIFS = 20

# Upper population bound of each size class (the booklet's XXS to XXL, made concrete).
_SIZES: tuple[tuple[int, str], ...] = (
    (500, "XXS"),
    (2_000, "XS"),
    (10_000, "S"),
    (50_000, "M"),
    (200_000, "L"),
    (500_000, "XL"),
)


def size_class(population: int) -> str:
    for bound, label in _SIZES:
        if population < bound:
            return label
    return "XXL"


SIZE_ORDER = ("XXS", "XS", "S", "M", "L", "XL", "XXL")


def _text(value: str, low: int, high: int, what: str) -> str:
    cleaned = value.strip()
    if not low <= len(cleaned) <= high:
        raise InvalidTrainingInput(f"{what} compte de {low} à {high} caractères.")
    return cleaned


class TrialStatus(StrEnum):
    PLANNED = "planned"
    TRIED = "tried"
    ABANDONED = "abandoned"


@dataclass(slots=True)
class Dispositif:
    id: UUID
    name: str
    description: str
    ambition: int
    effort: int
    effects: str = ""
    controversies: str = ""


@dataclass(slots=True)
class RoadmapItem:
    id: UUID
    dispositif: str
    advice: str
    status: TrialStatus = TrialStatus.PLANNED
    effects: str = ""
    updated_at: datetime | None = None


@dataclass(slots=True)
class Surveyed:
    siren: str
    name: str
    population: int
    size: str
    dispositifs: list[Dispositif] = field(default_factory=list)
    roadmap: list[RoadmapItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GridPoint:
    """One dot of the picture: x = effort, y = ambition, coloured by size class."""

    dispositif_id: UUID
    dispositif: str
    siren: str
    collectivite: str
    size: str
    effort: int
    ambition: int


@dataclass(slots=True)
class Boussole:
    programme_id: UUID
    surveyed: list[Surveyed] = field(default_factory=list)

    def add_collectivite(self, siren: str, name: str, population: int) -> Surveyed:
        if any(s.siren == siren for s in self.surveyed):
            raise InvalidTransition("Cette collectivité est déjà dans l'enquête.")
        if len(self.surveyed) >= MAX_SURVEYED:
            raise InvalidTransition(f"L'enquête porte sur {MAX_SURVEYED} collectivités au plus.")
        found = Surveyed(siren, name, population, size_class(population))
        self.surveyed.append(found)
        return found

    def collectivite(self, siren: str) -> Surveyed:
        for found in self.surveyed:
            if found.siren == siren:
                return found
        raise NotFound("Cette collectivité n'est pas dans l'enquête.")

    def add_dispositif(self, siren: str, dispositif: Dispositif) -> None:
        surveyed = self.collectivite(siren)
        if dispositif.ambition not in SCALE or dispositif.effort not in SCALE:
            raise InvalidTrainingInput("Ambition et effort se notent de 1 à 5.")
        if len(surveyed.dispositifs) >= MAX_DISPOSITIFS:
            raise InvalidTransition("Trop de dispositifs pour une collectivité.")
        dispositif.name = _text(dispositif.name, 3, 200, "Le nom du dispositif")
        dispositif.description = _text(dispositif.description, 0, 2000, "La description")
        dispositif.effects = _text(dispositif.effects, 0, 2000, "Les effets")
        dispositif.controversies = _text(dispositif.controversies, 0, 2000, "Les controverses")
        surveyed.dispositifs.append(dispositif)

    def sizes_covered(self) -> list[str]:
        present = {s.size for s in self.surveyed}
        return [size for size in SIZE_ORDER if size in present]

    def grid(self) -> list[GridPoint]:
        """The ambition × effort picture; it needs the 10 collectivités of the survey."""
        if len(self.surveyed) < MIN_SURVEYED:
            raise InvalidTransition(
                f"La grille compare au moins {MIN_SURVEYED} collectivités "
                f"({len(self.surveyed)} pour l'instant)."
            )
        return [
            GridPoint(d.id, d.name, s.siren, s.name, s.size, d.effort, d.ambition)
            for s in self.surveyed
            for d in s.dispositifs
        ]

    def add_to_roadmap(self, siren: str, item: RoadmapItem) -> None:
        surveyed = self.collectivite(siren)
        item.dispositif = _text(item.dispositif, 3, 200, "Le dispositif à tester")
        item.advice = _text(item.advice, 0, 2000, "Les conseils de mise en œuvre")
        surveyed.roadmap.append(item)

    def follow_up(
        self, siren: str, item_id: UUID, status: TrialStatus, effects: str, at: datetime
    ) -> RoadmapItem:
        surveyed = self.collectivite(siren)
        for item in surveyed.roadmap:
            if item.id == item_id:
                if status is TrialStatus.TRIED and not effects.strip():
                    raise InvalidTrainingInput("Décrivez les effets du dispositif testé.")
                item.status = status
                item.effects = _text(effects, 0, 2000, "Les effets")
                item.updated_at = at
                return item
        raise NotFound("Cette étape de feuille de route n'existe pas.")
