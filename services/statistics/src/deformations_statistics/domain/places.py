"""Where a contribution counts: the levels of the statistics and a commune's place in each.

The levels are the Région's ways of looking at its territory: région, département,
intercommunalité (EPCI) and the size of the commune. A commune is placed in every level at
once from the vendored COG, so the levels always add up to the platform's total.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Level(StrEnum):
    PLATFORM = "plateforme"
    REGION = "region"
    DEPARTEMENT = "departement"
    EPCI = "epci"
    SIZE = "taille"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    Level.PLATFORM: "Toute la plateforme",
    Level.REGION: "Région",
    Level.DEPARTEMENT: "Département",
    Level.EPCI: "Intercommunalité",
    Level.SIZE: "Taille de commune",
}

# The booklet speaks to rural and peri-urban communes: the small sizes are told apart.
SIZES: tuple[tuple[int, str, str], ...] = (
    (500, "moins-500", "Moins de 500 habitants"),
    (2_000, "500-1999", "De 500 à 1 999 habitants"),
    (10_000, "2000-9999", "De 2 000 à 9 999 habitants"),
    (2**63, "10000-plus", "10 000 habitants et plus"),
)
SIZE_LABELS = {code: label for _, code, label in SIZES}
ALL = "*"  # the code of the platform level's only place


def size_class(population: int) -> str:
    return next(code for bound, code, _ in SIZES if population < bound)


@dataclass(frozen=True, slots=True)
class Location:
    """A commune's place at every level (``epci`` is ``OUTSIDE_EPCI`` for the few communes
    outside any)."""

    commune_insee: str
    region: str
    departement: str
    epci: str
    size: str

    def code(self, level: Level) -> str:
        return {
            Level.PLATFORM: ALL,
            Level.REGION: self.region,
            Level.DEPARTEMENT: self.departement,
            Level.EPCI: self.epci,
            Level.SIZE: self.size,
        }[level]


# Each level's places add up exactly into this one's. An EPCI may straddle two
# départements, so EPCIs (like size classes) add up into the platform only.
PARENT = {
    Level.REGION: Level.PLATFORM,
    Level.DEPARTEMENT: Level.REGION,
    Level.EPCI: Level.PLATFORM,
    Level.SIZE: Level.PLATFORM,
}
OUTSIDE_EPCI = "hors-epci"


class Gazetteer(Protocol):
    """What the statistics need of the geography (``deformations_common.geography``)."""

    def locate(self, insee: str) -> Location | None: ...

    def locate_siren(self, siren: str) -> Location | None: ...

    def name(self, level: Level, code: str) -> str: ...
