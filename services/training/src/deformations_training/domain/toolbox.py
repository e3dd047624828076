"""The territorial toolbox of the atelier « du macro au micro » (booklet, thématique 5):
the host collectivité's own figures from the COG, shown beside the researcher's material
so the research meets the territory (population, its EPCI, the neighbouring communes)."""

from __future__ import annotations

from dataclasses import dataclass

from deformations_common.geography import UnknownCollectiviteError, load_geography
from deformations_common.geography.model import Commune
from deformations_training.domain.errors import NotFound

MACRO_MICRO = "t05_atelier_macro_micro"


@dataclass(frozen=True, slots=True)
class Figure:
    siren: str | None
    name: str
    population: int


@dataclass(frozen=True, slots=True)
class Toolbox:
    host: Figure
    kind: str  # "commune" or the EPCI's kind (CC, CA, CU, ME)
    departement: str | None
    region: str | None
    epci: Figure | None
    # Share of the EPCI's inhabitants living in the host commune, in percent.
    share_of_epci: float | None
    # The other communes of the EPCI (the host's neighbours), largest first.
    neighbours: tuple[Figure, ...]


def toolbox_of(siren: str) -> Toolbox:
    geo = load_geography()
    epci = geo.epcis.get(siren)
    if epci is not None:
        members = [geo.commune(insee) for insee in geo.members(siren)]
        first = max(members, key=lambda c: c.population) if members else None
        departement = geo.departement(first.departement) if first else None
        region = geo.region(first.region) if first else None
        return Toolbox(
            host=Figure(epci.siren, epci.name, epci.population),
            kind=epci.kind,
            departement=departement.name if departement else None,
            region=region.name if region else None,
            epci=None,
            share_of_epci=None,
            neighbours=_figures(members),
        )
    try:
        commune = geo.commune_by_siren(siren)
    except UnknownCollectiviteError:
        raise NotFound("Collectivité inconnue du code officiel géographique.") from None
    departement = geo.departement(commune.departement)
    region = geo.region(commune.region)
    own_epci = geo.epcis.get(commune.epci_siren) if commune.epci_siren else None
    neighbours = (
        [geo.commune(i) for i in geo.members(own_epci.siren) if i != commune.insee]
        if own_epci
        else []
    )
    return Toolbox(
        host=Figure(commune.siren, commune.name, commune.population),
        kind="commune",
        departement=departement.name if departement else None,
        region=region.name if region else None,
        epci=Figure(own_epci.siren, own_epci.name, own_epci.population) if own_epci else None,
        share_of_epci=(
            round(100 * commune.population / own_epci.population, 1)
            if own_epci and own_epci.population
            else None
        ),
        neighbours=_figures(neighbours),
    )


def _figures(communes: list[Commune]) -> tuple[Figure, ...]:
    return tuple(
        Figure(c.siren, c.name, c.population)
        for c in sorted(communes, key=lambda c: (-c.population, c.name))
    )
