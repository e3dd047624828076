"""Collectivités as the platform knows them: the vendored COG geography.

The ``collectivites`` table is filled from it as parties appear (publishing, proposals),
so that SQL filters (EPCI, département) and the per-EPCI balances join on it. Names come
from the shared vocabulary, like every service's.
"""

from __future__ import annotations

from dataclasses import dataclass

from deformations_common.geography import UnknownCollectiviteError, load_geography
from deformations_common.vocabulary.collectivites import known_name, of
from deformations_contracts.values import CollectiviteRef


@dataclass(frozen=True, slots=True)
class Collectivite:
    siren: str
    name: str
    kind: str  # "commune", an EPCI kind ("CC", "CA"…) or "collectivite" when unknown
    insee_code: str | None = None
    departement: str | None = None
    epci_siren: str | None = None

    @property
    def known(self) -> bool:
        return self.kind != "collectivite"

    def ref(self) -> CollectiviteRef:
        return CollectiviteRef(
            siren=self.siren, insee_code=self.insee_code, epci_siren=self.epci_siren
        )

    @property
    def town_hall(self) -> str:
        """A public place for on-site sessions when none is given."""
        return f"{'Mairie' if self.kind == 'commune' else 'Siège'} {of(self.name)}"


def describe(siren: str) -> Collectivite:
    """A commune or an EPCI by SIREN; an unknown SIREN keeps a neutral name."""
    name = known_name(siren)
    if name is None:
        return Collectivite(siren=siren, name=f"Collectivité (SIREN {siren})", kind="collectivite")
    geography = load_geography()
    try:
        commune = geography.commune_by_siren(siren)
    except UnknownCollectiviteError:
        epci = geography.epci(siren)
        return Collectivite(siren=siren, name=name, kind=epci.kind, epci_siren=siren)
    return Collectivite(
        siren=siren,
        name=name,
        kind="commune",
        insee_code=commune.insee,
        departement=commune.departement,
        epci_siren=commune.epci_siren,
    )
