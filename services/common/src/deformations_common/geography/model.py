"""Value objects of the French administrative geography."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    name: str
    siren: str | None
    departement: str
    region: str
    epci_siren: str | None
    population: int


@dataclass(frozen=True, slots=True)
class Epci:
    siren: str
    name: str
    kind: str
    population: int


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    name: str
    region: str


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
