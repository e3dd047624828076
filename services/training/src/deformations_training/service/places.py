"""Places and territories from the COG (reference data, no I/O after the first load)."""

from deformations_common.geography import Geography, load_geography
from deformations_training.domain.search import Place


class Places:
    def __init__(self, geography: Geography | None = None) -> None:
        self._geo = geography or load_geography()

    def place_of(self, insee: str) -> Place | None:
        commune = self._geo.find_commune(insee)
        if commune is None:
            return None
        return Place(commune.insee, commune.epci_siren, commune.departement, commune.region)

    def territory_of(self, siren: str) -> str | None:
        """The EPCI a collectivité belongs to (itself for an EPCI); None if unknown."""
        if siren in self._geo.epcis:
            return siren
        try:
            return self._geo.commune_by_siren(siren).epci_siren
        except LookupError:
            return None
