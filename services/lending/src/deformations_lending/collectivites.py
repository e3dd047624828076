"""Collectivités as the platform knows them: the vendored COG geography.

The ``collectivites`` table is filled from it as parties appear (publishing, proposals),
so that SQL filters (EPCI, département) and the per-EPCI balances join on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from deformations_common.geography import UnknownCollectiviteError, load_geography
from deformations_contracts.values import CollectiviteRef
from deformations_lending.documents import Party


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

    def party(self) -> Party:
        return Party(siren=self.siren, name=self.name, kind=self.kind)

    def ref(self) -> CollectiviteRef:
        return CollectiviteRef(
            siren=self.siren, insee_code=self.insee_code, epci_siren=self.epci_siren
        )

    @property
    def town_hall(self) -> str:
        """A public place for on-site sessions when none is given."""
        elided = self.name[:1].lower() in "aeiouyhàâéèêîôûœ"
        of = "d'" if elided else "de "
        return f"{'Mairie' if self.kind == 'commune' else 'Siège'} {of}{self.name}"


def describe(siren: str) -> Collectivite:
    """A commune or an EPCI by SIREN; an unknown SIREN keeps a neutral name."""
    geography = load_geography()
    try:
        commune = geography.commune_by_siren(siren)
    except UnknownCollectiviteError:
        pass
    else:
        return Collectivite(
            siren=siren,
            name=commune.name,
            kind="commune",
            insee_code=commune.insee,
            departement=commune.departement,
            epci_siren=commune.epci_siren,
        )
    try:
        epci = geography.epci(siren)
    except UnknownCollectiviteError:
        return Collectivite(siren=siren, name=f"Collectivité (SIREN {siren})", kind="collectivite")
    return Collectivite(siren=siren, name=epci.name, kind=epci.kind, epci_siren=siren)
