"""Campaigns: a team asked to answer one questionnaire version before an expiry, the
commune a respondent answers for, and the errors of these rules. Pure; who may do what with
a campaign is in ``access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from deformations_common.vocabulary.errors import (
    ConflictError,
    ForbiddenAction,
    GoneError,
    InvalidInput,
    NotFoundError,
)
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.errors import DiagnosisError

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
    # Only signed-in people may answer (their link leads to the portal's quiz): an
    # anonymous answer can be faked to reach the collective result's threshold.
    signed_in_only: bool = False

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def quiz_page(self) -> str:
        """Where the campaign's link leads: the portal's signed-in quiz, or the anonymous one."""
        return signed_in_quiz_page(self.token) if self.signed_in_only else f"/c/{self.token}"


class CampaignError(DiagnosisError, InvalidInput):
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


class ShareWithoutCampaignError(CampaignError):
    code = "share_without_campaign"

    def __init__(self) -> None:
        super().__init__(
            "Un résultat ne se partage qu'avec l'équipe d'une campagne.",
            "a result is shared only with the team of a campaign",
        )


class UnknownCampaignError(DiagnosisError, NotFoundError):
    code = "unknown_campaign"

    def __init__(self) -> None:
        super().__init__("Ce lien de campagne n'existe pas.", "no such campaign")


class CampaignNotFoundError(DiagnosisError, NotFoundError):
    code = "unknown_campaign"

    def __init__(self) -> None:
        super().__init__("Cette campagne n'existe pas.", "no such campaign")


class CampaignExpiredError(DiagnosisError, GoneError):
    code = "campaign_expired"

    def __init__(self, expired_at: datetime) -> None:
        super().__init__(
            "Cette campagne est terminée : elle n'accepte plus de réponses.",
            "the campaign is over",
            expired_at=expired_at.isoformat(),
        )


class SignedInOnlyError(DiagnosisError, ForbiddenAction):
    code = "signed_in_only"

    def __init__(self, quiz_page: str) -> None:
        super().__init__(
            "Cette campagne ne compte que les réponses de personnes connectées : "
            "connectez-vous à votre espace pour répondre.",
            "the campaign takes answers of signed-in people only",
            quiz_page=quiz_page,
        )


class TokenTakenError(DiagnosisError, ConflictError):
    """Two campaigns drew the same link token: astronomically rare, worth a retry."""

    code = "campaign_token_taken"

    def __init__(self) -> None:
        super().__init__(
            "Le lien de la campagne n'a pas pu être créé : réessayez.",
            "the campaign token is already taken",
        )


def check_expiry(now: datetime, expires_at: datetime) -> None:
    if not now < expires_at <= now + MAX_DURATION:
        raise BadExpiryError()


def open_or_fail(campaign: Campaign | None, now: datetime) -> Campaign:
    """The campaign a link names, while it takes answers: 404 unknown, 410 over."""
    if campaign is None:
        raise UnknownCampaignError()
    if campaign.is_expired(now):
        raise CampaignExpiredError(campaign.expires_at)
    return campaign


def signed_in_quiz_page(token: str) -> str:
    """The portal's signed-in quiz for a campaign (at the platform's one address)."""
    return f"/espace/autodiagnostic?campagne={token}"


def check_respondent(campaign: Campaign, person_id: str | None) -> None:
    if campaign.signed_in_only and person_id is None:
        raise SignedInOnlyError(signed_in_quiz_page(campaign.token))


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


def missing_responses(shared: int, minimum: int) -> int:
    return max(0, minimum - shared)
