"""French names of collectivités, from the vendored geography (SIREN or INSEE code).

The geography is reference data shipped in the package, read once; no I/O beyond it.
"""

from __future__ import annotations

from deformations_common.geography import Commune, UnknownCollectiviteError, load_geography

_VOWELS = "aeiouyhàâäéèêëîïôöûüœ"


def _commune(code: str) -> Commune | None:
    geo = load_geography()
    found = geo.communes.get(code)
    if found is not None:
        return found
    try:
        return geo.commune_by_siren(code)
    except UnknownCollectiviteError:
        return None


def known_name(code: str) -> str | None:
    """« CC du Haut-Chablais », « Abondance »; None for a code the geography lacks."""
    epci = load_geography().epcis.get(code)
    if epci is not None:
        return epci.name
    commune = _commune(code)
    return commune.name if commune is not None else None


def collectivite_name(code: str) -> str:
    """The name of a commune or EPCI by SIREN or INSEE code; an unknown one stays readable."""
    return known_name(code) or f"la collectivité {code}"


def of(name: str) -> str:
    """The French « de » before a name: « de Crest », « d'Aouste-sur-Sye », « du Poët-Laval »."""
    article, _, rest = name.partition(" ")
    if rest and article.lower() == "le":
        return f"du {rest}"
    if rest and article.lower() == "les":
        return f"des {rest}"
    return f"d'{name}" if name[:1].lower() in _VOWELS else f"de {name}"
