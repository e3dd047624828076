"""Teams from the reference geography (COG): a commune's council or an EPCI and its communes.

The geography is reference data shipped with the runtime (read once, no I/O beyond it);
names and their « de » / « d' » come from the platform's vocabulary.
"""

from __future__ import annotations

from deformations_common.geography import Geography, load_geography
from deformations_common.geography import UnknownCollectiviteError as NotInGeography
from deformations_common.vocabulary.collectivites import known_name, of
from deformations_common.vocabulary.errors import InvalidInput
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.campaigns import Team, TeamMember
from deformations_diagnosis.domain.errors import DiagnosisError


class UnknownCollectiviteError(DiagnosisError, InvalidInput):
    code = "unknown_collectivite"


class CollectiviteRequiredError(DiagnosisError, InvalidInput):
    code = "collectivite_required"


def municipal_council(insee: str | None, siren: str | None, geo: Geography | None = None) -> Team:
    geo = geo or load_geography()
    try:
        commune = geo.commune(insee) if insee else geo.commune_by_siren(siren or "")
    except NotInGeography as exc:
        raise UnknownCollectiviteError(
            "Cette commune est inconnue du code officiel géographique.",
            f"unknown commune {insee or siren!r}",
        ) from exc
    if commune.siren is None or (siren and siren != commune.siren):
        raise UnknownCollectiviteError(
            "Le SIREN et le code INSEE ne désignent pas la même commune.",
            f"SIREN {siren!r} and INSEE {insee!r} name different communes",
        )
    name = known_name(commune.insee) or commune.name
    return Team(
        kind=TeamKind.MUNICIPAL_COUNCIL,
        siren=commune.siren,
        label=f"Conseil municipal {of(name)}",
        commune_insee=commune.insee,
        members=(TeamMember(commune.insee, commune.siren, name),),
    )


def intercommunality(siren: str, geo: Geography | None = None) -> Team:
    geo = geo or load_geography()
    try:
        epci = geo.epci(siren)
    except NotInGeography as exc:
        raise UnknownCollectiviteError(
            "Cette intercommunalité est inconnue du code officiel géographique.",
            f"unknown EPCI {siren!r}",
        ) from exc
    members = tuple(
        TeamMember(c.insee, c.siren, c.name)
        for c in sorted((geo.commune(i) for i in geo.members(siren)), key=lambda c: c.name)
    )
    return Team(
        kind=TeamKind.INTERCOMMUNALITY,
        siren=epci.siren,
        label=known_name(epci.siren) or epci.name,
        commune_insee=None,
        members=members,
    )


def team_for(kind: TeamKind, siren: str | None, commune_insee: str | None) -> Team:
    if kind is TeamKind.MUNICIPAL_COUNCIL:
        if not (siren or commune_insee):
            raise CollectiviteRequiredError(
                "Indiquez la commune (SIREN ou code INSEE).", "a commune is required"
            )
        return municipal_council(commune_insee, siren)
    if not siren:
        raise CollectiviteRequiredError(
            "Indiquez le SIREN de l'intercommunalité.", "the EPCI's SIREN is required"
        )
    return intercommunality(siren)
