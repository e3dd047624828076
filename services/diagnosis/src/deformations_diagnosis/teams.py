"""Teams from the reference geography (COG): a commune's council or an EPCI and its communes."""

from deformations_common.errors import Unprocessable
from deformations_common.geography import Geography, UnknownCollectiviteError, load_geography
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.campaigns import Team, TeamMember


def municipal_council(insee: str | None, siren: str | None, geo: Geography | None = None) -> Team:
    geo = geo or load_geography()
    try:
        commune = geo.commune(insee) if insee else geo.commune_by_siren(siren or "")
    except UnknownCollectiviteError as exc:
        raise Unprocessable(
            "Cette commune est inconnue du code officiel géographique.",
            code="unknown_collectivite",
        ) from exc
    if commune.siren is None or (siren and siren != commune.siren):
        raise Unprocessable(
            "Le SIREN et le code INSEE ne désignent pas la même commune.",
            code="unknown_collectivite",
        )
    return Team(
        kind=TeamKind.MUNICIPAL_COUNCIL,
        siren=commune.siren,
        label=f"Conseil municipal de {commune.name}",
        commune_insee=commune.insee,
        members=(TeamMember(commune.insee, commune.siren, commune.name),),
    )


def intercommunality(siren: str, geo: Geography | None = None) -> Team:
    geo = geo or load_geography()
    try:
        epci = geo.epci(siren)
    except UnknownCollectiviteError as exc:
        raise Unprocessable(
            "Cette intercommunalité est inconnue du code officiel géographique.",
            code="unknown_collectivite",
        ) from exc
    members = tuple(
        TeamMember(c.insee, c.siren, c.name)
        for c in sorted((geo.commune(i) for i in geo.members(siren)), key=lambda c: c.name)
    )
    return Team(
        kind=TeamKind.INTERCOMMUNALITY,
        siren=epci.siren,
        label=epci.name,
        commune_insee=None,
        members=members,
    )


def team_for(kind: TeamKind, siren: str | None, commune_insee: str | None) -> Team:
    if kind is TeamKind.MUNICIPAL_COUNCIL:
        if not (siren or commune_insee):
            raise Unprocessable(
                "Indiquez la commune (SIREN ou code INSEE).", code="collectivite_required"
            )
        return municipal_council(commune_insee, siren)
    if not siren:
        raise Unprocessable(
            "Indiquez le SIREN de l'intercommunalité.", code="collectivite_required"
        )
    return intercommunality(siren)
