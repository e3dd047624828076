"""Who may do what: open a campaign, see or change it, read the calibration report.

Pure policies over the actor's roles, the collectivité they act for (``authority``) and
their subject id; each ``check_*`` raises the 403 the API returns.
"""

from __future__ import annotations

from collections.abc import Collection

from deformations_common.vocabulary.errors import ForbiddenAction
from deformations_common.vocabulary.roles import Role
from deformations_diagnosis.domain.campaigns import Campaign, Team
from deformations_diagnosis.domain.errors import DiagnosisError

# Roles that may open a campaign; an élu only for their own collectivité.
OPENING_ROLES = frozenset({Role.OPERATOR, Role.TRAINER, Role.ELECTED})


class RoleRequiredError(DiagnosisError, ForbiddenAction):
    code = "forbidden"

    def __init__(self, roles: Collection[Role]) -> None:
        names = ", ".join(sorted(r.label for r in roles))
        super().__init__(
            f"Cette action est réservée aux rôles suivants : {names}.",
            f"this action needs one of the roles: {', '.join(sorted(roles))}",
        )


class NotYourCollectiviteError(DiagnosisError, ForbiddenAction):
    code = "not_your_collectivite"

    def __init__(self) -> None:
        super().__init__(
            "Un élu n'ouvre une campagne que pour sa propre collectivité.",
            "an elected official opens a campaign for their own collectivité only",
        )


class NotYourCampaignError(DiagnosisError, ForbiddenAction):
    code = "not_your_campaign"

    def __init__(self, message: str) -> None:
        super().__init__(message, "this campaign is not visible or not changeable by this actor")


def may_open(roles: Collection[str], authority: str | None, team: Team) -> bool:
    """Operators and trainers open campaigns for any team; an élu only for their own."""
    if {Role.OPERATOR, Role.TRAINER} & set(roles):
        return True
    return Role.ELECTED in roles and authority == team.siren


def check_opening_role(roles: Collection[str]) -> None:
    if not OPENING_ROLES & set(roles):
        raise RoleRequiredError(OPENING_ROLES)


def check_may_open(roles: Collection[str], authority: str | None, team: Team) -> None:
    check_opening_role(roles)
    if not may_open(roles, authority, team):
        raise NotYourCollectiviteError()


def may_view_collective(
    roles: Collection[str], authority: str | None, sub: str, campaign: Campaign
) -> bool:
    """Operators, the person who opened the campaign, and the team's own collectivités.

    A trainer who did not open the campaign sees nothing: the respondents agreed to share
    with their team and the organiser, not with every trainer of the platform.
    """
    if Role.OPERATOR in roles or sub == campaign.created_by:
        return True
    return bool({Role.ELECTED, Role.AGENT} & set(roles)) and authority in campaign.team.sirens


def check_may_view(roles: Collection[str], authority: str | None, sub: str, c: Campaign) -> None:
    if not may_view_collective(roles, authority, sub, c):
        raise NotYourCampaignError(
            "Seuls l'organisateur de la campagne, les élus de l'équipe et les opérateurs "
            "voient cette campagne."
        )


def may_change(roles: Collection[str], sub: str, campaign: Campaign) -> bool:
    """Only the organiser, or an operator, moves the end of a campaign."""
    return Role.OPERATOR in roles or sub == campaign.created_by


def check_may_change(roles: Collection[str], sub: str, campaign: Campaign) -> None:
    if not may_change(roles, sub, campaign):
        raise NotYourCampaignError("Seul l'organisateur de la campagne peut la modifier.")


def check_may_calibrate(roles: Collection[str]) -> None:
    """The calibration report is aggregated, but only operators tune the typology."""
    if Role.OPERATOR not in roles:
        raise RoleRequiredError({Role.OPERATOR})


def sees_every_campaign(roles: Collection[str]) -> bool:
    return Role.OPERATOR in roles


def check_may_edit_questionnaires(roles: Collection[str]) -> None:
    """Uploading, previewing and publishing questionnaire versions is the operators' work."""
    if Role.OPERATOR not in roles:
        raise RoleRequiredError({Role.OPERATOR})
