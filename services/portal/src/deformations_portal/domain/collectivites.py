"""Collectivités a membership may name: those of the vendored COG, by SIREN.

The COG we vendor gives SIRENs for communes and EPCI; départements and régions have
codes but no SIREN there, so they cannot be joined yet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from deformations_common.geography import load_geography
from deformations_portal.domain.errors import UnknownCollectivite


@dataclass(frozen=True, slots=True)
class Collectivite:
    siren: str
    name: str
    kind: str  # « Commune », « CC », « CA »…
    detail: str  # département code for a commune, "" for an EPCI


def find(siren: str) -> Collectivite | None:
    geo = load_geography()
    epci = geo.epcis.get(siren)
    if epci is not None:
        return Collectivite(epci.siren, epci.name, epci.kind, "")
    for commune in _communes_by_siren().get(siren, ()):
        return commune
    return None


def require(siren: str) -> Collectivite:
    found = find(siren.strip())
    if found is None:
        raise UnknownCollectivite(
            f"Aucune collectivité ne porte le SIREN « {siren} » dans le code officiel "
            "géographique : vérifiez les 9 chiffres.",
            siren=siren,
        )
    return found


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", bare).strip()


_INDEX: dict[str, tuple[Collectivite, ...]] = {}


def _communes_by_siren() -> dict[str, tuple[Collectivite, ...]]:
    if not _INDEX:
        for commune in load_geography().communes.values():
            if commune.siren:
                _INDEX[commune.siren] = (
                    Collectivite(commune.siren, commune.name, "Commune", commune.departement),
                )
    return _INDEX


def search(query: str, limit: int = 20) -> list[Collectivite]:
    """By SIREN (9 digits), INSEE code (5 characters) or a part of the name."""
    text = query.strip()
    if not text:
        return []
    if re.fullmatch(r"[0-9]{9}", text):
        found = find(text)
        return [found] if found else []
    geo = load_geography()
    if re.fullmatch(r"(?:[0-9]{2}|2[AaBb])[0-9]{3}", text):
        commune = geo.find_commune(text.upper())
        if commune is None or not commune.siren:
            return []
        return [Collectivite(commune.siren, commune.name, "Commune", commune.departement)]
    needle = _fold(text)
    if len(needle) < 2:
        return []
    results: list[Collectivite] = []
    for epci in geo.epcis.values():
        if needle in _fold(epci.name):
            results.append(Collectivite(epci.siren, epci.name, epci.kind, ""))
    for entries in _communes_by_siren().values():
        for entry in entries:
            if needle in _fold(entry.name):
                results.append(entry)
    # Exact names first, then names starting with the query, then the rest.
    results.sort(
        key=lambda c: (_fold(c.name) != needle, not _fold(c.name).startswith(needle), c.name)
    )
    return results[:limit]
