"""Where a collectivité sits: the "hypers voisins" ladder commune → EPCI → département → région."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from deformations_common.geography import Geography


class Proximity(IntEnum):
    """How close two places are; higher is closer."""

    ELSEWHERE = 0
    SAME_REGION = 1
    SAME_DEPARTEMENT = 2
    SAME_EPCI = 3
    SAME_COMMUNE = 4


@dataclass(frozen=True, slots=True)
class Place:
    insee: str
    commune_name: str
    epci_siren: str | None
    epci_name: str | None
    departement: str
    region: str
    population: int

    def proximity(self, other: Place) -> Proximity:
        if self.insee == other.insee:
            return Proximity.SAME_COMMUNE
        if self.epci_siren is not None and self.epci_siren == other.epci_siren:
            return Proximity.SAME_EPCI
        if self.departement == other.departement:
            return Proximity.SAME_DEPARTEMENT
        if self.region == other.region:
            return Proximity.SAME_REGION
        return Proximity.ELSEWHERE


def place_of(geography: Geography, insee: str, population: int | None = None) -> Place:
    """The place of a commune; ``population`` overrides it (e.g. an EPCI acting from its seat)."""
    commune = geography.commune(insee)
    epci = geography.epci_of(insee)
    return Place(
        insee=commune.insee,
        commune_name=commune.name,
        epci_siren=commune.epci_siren,
        epci_name=epci.name if epci else None,
        departement=commune.departement,
        region=commune.region,
        population=commune.population if population is None else population,
    )
