"""French names of collectivités, from the vendored geography (SIREN or INSEE code)."""

from __future__ import annotations

from deformations_common.geography import Commune, UnknownCollectiviteError, load_geography


def _commune(code: str) -> Commune | None:
    geo = load_geography()
    found = geo.communes.get(code)
    if found is not None:
        return found
    try:
        return geo.commune_by_siren(code)
    except UnknownCollectiviteError:
        return None


def collectivite_name(code: str) -> str:
    """« CC du Haut-Chablais », « Abondance »; an unknown code stays readable."""
    epci = load_geography().epcis.get(code)
    if epci is not None:
        return epci.name
    commune = _commune(code)
    return commune.name if commune is not None else f"la collectivité {code}"
