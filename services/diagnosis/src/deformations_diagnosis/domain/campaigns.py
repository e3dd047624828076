"""Campaigns: who may open one for which team, who may see its collective result, and
which commune a respondent answers for. Pure rules; the service layer reads the data.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.errors import DiagnosisError

# Roles that may open a campaign; an élu only for their own collectivité.
OPENING_ROLES = frozenset({"operator", "trainer", "elected"})
MAX_DURATION = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class TeamMember:
    insee: str
    siren: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Team:
    """A municipal council (one commune) or an intercommunality with its member communes."""

    kind: TeamKind
    siren: str
    label: str
    commune_insee: str | None
    members: tuple[TeamMember, ...] = ()

    def member(self, insee: str) -> TeamMember | None:
        return next((m for m in self.members if m.insee == insee), None)

    @property
    def sirens(self) -> frozenset[str]:
        """The collectivités whose élus belong to the team."""
        return frozenset({self.siren, *(m.siren for m in self.members if m.siren)})


@dataclass(frozen=True, slots=True)
class Campaign:
    id: UUID
    token: str
    team: Team
    questionnaire_version: str
    created_by: str | None
    created_at: datetime
    expires_at: datetime

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class CampaignError(DiagnosisError):
    """A campaign request that breaks a rule (a client error)."""


class BadExpiryError(CampaignError):
    code = "bad_expiry"

    def __init__(self) -> None:
        super().__init__(
            "La date de fin de la campagne doit être dans le futur, et à moins d'un an.",
            "the expiry must be in the future and within a year",
        )


class CommuneRequiredError(CampaignError):
    code = "commune_required"

    def __init__(self) -> None:
        super().__init__(
            "Indiquez votre commune parmi celles de l'intercommunalité.",
            "an intercommunality campaign needs the respondent's member commune",
        )


class NotAMemberError(CampaignError):
    code = "not_a_member"

    def __init__(self, insee: str) -> None:
        super().__init__(
            f"La commune « {insee} » ne fait pas partie de l'équipe de cette campagne.",
            f"commune {insee!r} is not in the campaign's team",
            commune_insee=insee,
        )


def check_expiry(now: datetime, expires_at: datetime) -> None:
    if not now < expires_at <= now + MAX_DURATION:
        raise BadExpiryError()


def respondent_commune(team: Team, given: str | None) -> str:
    """The INSEE code a response counts for: the council's commune, or a member commune."""
    if team.kind is TeamKind.MUNICIPAL_COUNCIL:
        assert team.commune_insee is not None
        if given not in (None, "", team.commune_insee):
            raise NotAMemberError(given or "")
        return team.commune_insee
    if not given:
        raise CommuneRequiredError()
    if team.member(given) is None:
        raise NotAMemberError(given)
    return given


def may_open(roles: Collection[str], authority: str | None, team: Team) -> bool:
    """Operators and trainers open campaigns for any team; an élu only for their own."""
    if {"operator", "trainer"} & set(roles):
        return True
    return "elected" in roles and authority == team.siren


def may_view_collective(
    roles: Collection[str], authority: str | None, sub: str, campaign: Campaign
) -> bool:
    """Operators, the person who opened the campaign, and the team's own collectivités.

    A trainer who did not open the campaign sees nothing: the respondents agreed to share
    with their team and the organiser, not with every trainer of the platform.
    """
    if "operator" in roles or sub == campaign.created_by:
        return True
    return bool({"elected", "agent"} & set(roles)) and authority in campaign.team.sirens


def missing_responses(shared: int, minimum: int) -> int:
    return max(0, minimum - shared)
