"""The territory one platform serves (issue #13: one platform per Région).

A platform covers one Région (its COG code), or only some of its départements; with
neither, the whole country, which restricts nothing (a platform without a file behaves as
before). ``outside_allowed`` is the operator's choice to welcome collectivités from
elsewhere: the portal then lets people join them and matching proposes them. The
statistics count only the covered territory either way: they are the Région's figures.

Every service reads it from the same TOML file as the portal (``PLATFORM_FILE``; only
``region``, ``departements`` and ``outside_allowed`` matter here), so the portal, matching
and the statistics can never disagree on where the Région ends.

Pure: built from a mapping and the COG, and checked once, at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from deformations_common.geography import Geography
from deformations_common.vocabulary.errors import ForbiddenAction, InvalidInput

SCOPE_KEYS = ("region", "departements", "outside_allowed")


class PlatformMisconfigured(InvalidInput):
    code = "platform_misconfigured"


class OutsideScope(ForbiddenAction):
    code = "collectivite_outside_scope"


@dataclass(frozen=True, slots=True)
class PlatformScope:
    """The région's code and the départements covered (empty: the whole country)."""

    region: str = ""
    departements: frozenset[str] = frozenset()
    outside_allowed: bool = False

    @classmethod
    def of(
        cls,
        geography: Geography,
        *,
        region: str = "",
        departements: Iterable[str] = (),
        outside_allowed: bool = False,
    ) -> PlatformScope:
        """A checked scope: a région the COG knows, départements of that région; no
        département named means all of the région's."""
        named = frozenset(str(code) for code in departements)
        if region and geography.region(region) is None:
            raise PlatformMisconfigured(
                f"La région « {region} » n'existe pas dans le COG.", region=region
            )
        for code in sorted(named):
            found = geography.departement(code)
            if found is None or (region and found.region != region):
                raise PlatformMisconfigured(
                    f"Le département « {code} » n'est pas dans la région de la plateforme.",
                    departement=code,
                )
        covered = named or (geography.departements_of_region(region) if region else frozenset())
        return cls(region, covered, outside_allowed)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], geography: Geography) -> PlatformScope:
        """The scope part of a platform's TOML mapping; its other keys are the portal's."""
        region = data.get("region", "")
        departements = data.get("departements", [])
        outside_allowed = data.get("outside_allowed", False)
        if not isinstance(region, str):
            raise PlatformMisconfigured("La région (region) est un code du COG entre guillemets.")
        if not isinstance(departements, list | tuple) or not all(
            isinstance(code, str) for code in departements
        ):
            raise PlatformMisconfigured(
                "Les départements (departements) sont une liste de codes entre guillemets."
            )
        if not isinstance(outside_allowed, bool):
            raise PlatformMisconfigured("outside_allowed vaut true ou false.")
        return cls.of(
            geography, region=region, departements=departements, outside_allowed=outside_allowed
        )

    @property
    def everywhere(self) -> bool:
        """No territory configured: every collectivité is covered."""
        return not self.departements

    @property
    def limits_proposals(self) -> bool:
        """Whether matching must keep its proposals inside the territory."""
        return not self.everywhere and not self.outside_allowed

    def covers_departement(self, code: str | None) -> bool:
        return self.everywhere or code in self.departements

    def covers_collectivite(self, geography: Geography, siren: str) -> bool:
        """A commune or an EPCI with a commune in the territory; a SIREN the COG does not
        know (a syndicat, a département's council…) is covered only by the whole country."""
        if self.everywhere:
            return True
        return bool(geography.departements_of_collectivite(siren) & self.departements)

    def covers_commune(self, geography: Geography, insee: str) -> bool:
        if self.everywhere:
            return True
        commune = geography.find_commune(insee)
        return commune is not None and commune.departement in self.departements

    def may_propose_collectivite(self, geography: Geography, siren: str) -> bool:
        """Whether matching may propose this collectivité (or propose to it)."""
        return not self.limits_proposals or self.covers_collectivite(geography, siren)

    def may_propose_person_at(self, geography: Geography, insee: str | None) -> bool:
        """Whether matching may propose a person placed in this commune. Someone who gave no
        commune (or a code the COG does not know) is not known to be elsewhere: they came
        through this platform's portal, so they are not kept out for saying nothing."""
        if not self.limits_proposals or not insee:
            return True
        commune = geography.find_commune(insee)
        return commune is None or commune.departement in self.departements

    def require_proposable(self, geography: Geography, siren: str) -> None:
        """Refuse (403, nothing changed) to organise anything for a collectivité elsewhere."""
        if not self.may_propose_collectivite(geography, siren):
            raise OutsideScope(
                f"Cette plateforme accueille les collectivités de la région "
                f"{self.region_name(geography)}. "
                "Pour une autre région, adressez-vous à la plateforme de celle-ci.",
                siren=siren,
            )

    def region_name(self, geography: Geography) -> str:
        if not self.region:
            return "France entière"
        found = geography.region(self.region)
        return found.name if found else self.region
