"""Where a collectivité sits, from what an event says of it (INSEE code, SIREN, EPCI)."""

from deformations_common.geography import Geography
from deformations_matching.domain.places import Place, place_of


def locate(
    geography: Geography, siren: str, insee_code: str | None, epci_siren: str | None
) -> Place | None:
    """A commune is placed by its INSEE code (or its SIREN); an EPCI by its first member,
    with the EPCI's population. ``None`` when the geography does not know it."""
    if insee_code and geography.find_commune(insee_code) is not None:
        return place_of(geography, insee_code)
    try:
        return place_of(geography, geography.commune_by_siren(siren).insee)
    except LookupError:
        pass
    for candidate in (siren, epci_siren):
        if candidate and candidate in geography.epcis:
            members = geography.members(candidate)
            if members:
                epci = geography.epci(candidate)
                return place_of(geography, members[0], population=epci.population)
    return None


def departement_of(geography: Geography, insee_code: str | None) -> str | None:
    commune = geography.find_commune(insee_code) if insee_code else None
    return commune.departement if commune else None
