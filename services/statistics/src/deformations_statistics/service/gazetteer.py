"""The statistics' places from the vendored COG (``deformations_common.geography``)."""

from __future__ import annotations

from functools import cache

from deformations_common.geography.loader import (
    Geography,
    UnknownCollectiviteError,
    load_geography,
)
from deformations_statistics.domain.places import (
    ALL,
    OUTSIDE_EPCI,
    SIZE_LABELS,
    Level,
    Location,
    size_class,
)


class CogGazetteer:
    def __init__(self, geography: Geography) -> None:
        self.geography = geography

    def locate(self, insee: str) -> Location | None:
        commune = self.geography.find_commune(insee)
        if commune is None:
            return None
        return Location(
            commune.insee,
            commune.region,
            commune.departement,
            commune.epci_siren or OUTSIDE_EPCI,
            size_class(commune.population),
        )

    def locate_siren(self, siren: str) -> Location | None:
        """A commune by its SIREN; an EPCI counts at its most populous member commune."""
        try:
            return self.locate(self.geography.commune_by_siren(siren).insee)
        except UnknownCollectiviteError:
            pass
        members = self.geography.members(siren) if siren in self.geography.epcis else ()
        if not members:
            return None
        seat = max(members, key=self.geography.population)
        return self.locate(seat)

    def name(self, level: Level, code: str) -> str:
        if level is Level.PLATFORM or code == ALL:
            return "Toute la plateforme"
        if level is Level.SIZE:
            return SIZE_LABELS.get(code, code)
        if level is Level.EPCI:
            epci = self.geography.epcis.get(code)
            return epci.name if epci else "Hors intercommunalité"
        if level is Level.DEPARTEMENT:
            departement = self.geography.departement(code)
            return departement.name if departement else code
        region = self.geography.region(code)
        return region.name if region else code


@cache
def cog_gazetteer() -> CogGazetteer:
    return CogGazetteer(load_geography())
