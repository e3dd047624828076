"""Load the vendored geography once and answer look-ups from memory."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

from deformations_common.geography.model import Commune, Departement, Epci, Region


class UnknownCollectiviteError(LookupError):
    """A code that the reference geography does not know."""


def _rows(name: str) -> Iterator[dict[str, str]]:
    data = resources.files("deformations_common.geography").joinpath("data", f"{name}.csv.gz")
    text = gzip.decompress(data.read_bytes()).decode("utf-8")
    yield from csv.DictReader(io.StringIO(text))


class Geography:
    """Communes, EPCI, départements and régions, indexed for constant-time look-ups.

    Build it with :func:`load_geography` (cached); the constructor is public so
    tests can pass a small hand-made geography.
    """

    def __init__(
        self,
        communes: list[Commune],
        epcis: list[Epci],
        departements: list[Departement],
        regions: list[Region],
    ) -> None:
        self._by_insee = {c.insee: c for c in communes}
        self._by_siren = {c.siren: c for c in communes if c.siren}
        self._epcis = {e.siren: e for e in epcis}
        self._departements = {d.code: d for d in departements}
        self._regions = {r.code: r for r in regions}
        members: dict[str, list[str]] = {}
        for commune in communes:
            if commune.epci_siren:
                members.setdefault(commune.epci_siren, []).append(commune.insee)
        self._members = {siren: tuple(codes) for siren, codes in members.items()}
        # An EPCI may straddle départements (and, rarely, régions): it lies in each of them.
        spans: dict[str, set[str]] = {}
        for commune in communes:
            if commune.epci_siren:
                spans.setdefault(commune.epci_siren, set()).add(commune.departement)
        self._epci_departements = {siren: frozenset(codes) for siren, codes in spans.items()}

    @property
    def communes(self) -> Mapping[str, Commune]:
        """Every commune by INSEE code."""
        return MappingProxyType(self._by_insee)

    @property
    def epcis(self) -> Mapping[str, Epci]:
        return MappingProxyType(self._epcis)

    def commune(self, insee: str) -> Commune:
        try:
            return self._by_insee[insee]
        except KeyError:
            raise UnknownCollectiviteError(f"unknown INSEE code {insee!r}") from None

    def commune_by_siren(self, siren: str) -> Commune:
        try:
            return self._by_siren[siren]
        except KeyError:
            raise UnknownCollectiviteError(f"unknown commune SIREN {siren!r}") from None

    def find_commune(self, insee: str) -> Commune | None:
        return self._by_insee.get(insee)

    def epci(self, siren: str) -> Epci:
        try:
            return self._epcis[siren]
        except KeyError:
            raise UnknownCollectiviteError(f"unknown EPCI SIREN {siren!r}") from None

    def epci_of(self, insee: str) -> Epci | None:
        """The EPCI of a commune, or None for the few communes outside any."""
        siren = self.commune(insee).epci_siren
        return self._epcis.get(siren) if siren else None

    def members(self, epci_siren: str) -> tuple[str, ...]:
        """INSEE codes of the member communes of an EPCI."""
        self.epci(epci_siren)
        return self._members.get(epci_siren, ())

    def departement(self, code: str) -> Departement | None:
        return self._departements.get(code)

    def region(self, code: str) -> Region | None:
        return self._regions.get(code)

    def departement_of(self, insee: str) -> Departement | None:
        return self._departements.get(self.commune(insee).departement)

    def region_of(self, insee: str) -> Region | None:
        return self._regions.get(self.commune(insee).region)

    def departements_of_region(self, region: str) -> frozenset[str]:
        """The codes of the départements of a région (none for an unknown code)."""
        return frozenset(d.code for d in self._departements.values() if d.region == region)

    def departements_of_collectivite(self, siren: str) -> frozenset[str]:
        """Where a commune (by its SIREN) or an EPCI lies: its département, or each
        département of its member communes; empty for a SIREN the geography does not know."""
        commune = self._by_siren.get(siren)
        if commune is not None:
            return frozenset({commune.departement})
        return self._epci_departements.get(siren, frozenset())

    def regions_of_collectivite(self, siren: str) -> frozenset[str]:
        """The région(s) of a commune or an EPCI, by its SIREN; empty when unknown."""
        found = (self._departements.get(code) for code in self.departements_of_collectivite(siren))
        return frozenset(d.region for d in found if d is not None)

    def population(self, insee: str) -> int:
        return self.commune(insee).population


@cache
def load_geography() -> Geography:
    """The vendored national geography, parsed on first use and shared afterwards."""
    communes = [
        Commune(
            insee=row["insee_code"],
            name=row["name"],
            siren=row["siren"] or None,
            departement=row["departement"],
            region=row["region"],
            epci_siren=row["epci_siren"] or None,
            population=int(row["population"] or 0),
        )
        for row in _rows("communes")
    ]
    epcis = [
        Epci(
            siren=row["siren"],
            name=row["name"],
            kind=row["kind"],
            population=int(row["population"] or 0),
        )
        for row in _rows("epci")
    ]
    departements = [
        Departement(code=row["code"], name=row["name"], region=row["region"])
        for row in _rows("departements")
    ]
    regions = [Region(code=row["code"], name=row["name"]) for row in _rows("regions")]
    return Geography(communes, epcis, departements, regions)
