"""HTTP API of campaigns: open one for a team, share its link, read its collective result."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from deformations_common.auth import CurrentPrincipal, Principal
from deformations_common.db import Connection
from deformations_common.errors import Forbidden, NotFound
from deformations_common.service import RuntimeDep
from deformations_contracts.events.diagnosis import TeamKind
from deformations_contracts.types import InseeCode, Siren
from deformations_diagnosis import repository, service, teams
from deformations_diagnosis.content.loader import CURRENT_VERSION
from deformations_diagnosis.domain.campaigns import (
    OPENING_ROLES,
    Campaign,
    CampaignError,
    check_expiry,
    may_open,
    may_view_collective,
)

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])
DEFAULT_DURATION = timedelta(days=30)


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_kind: TeamKind
    collectivite_siren: Siren | None = Field(
        default=None, description="The commune's SIREN (council) or the EPCI's SIREN."
    )
    commune_insee: InseeCode | None = Field(
        default=None, description="For a municipal council, instead of the SIREN."
    )
    expires_at: AwareDatetime | None = Field(default=None, description="Default: in 30 days.")
    questionnaire_version: str = Field(default=CURRENT_VERSION, max_length=40)


class MemberOut(BaseModel):
    insee: str
    siren: str | None
    name: str


class CampaignPublic(BaseModel):
    """What anyone holding the link may know: enough to answer."""

    team_kind: TeamKind
    team_label: str
    members: list[MemberOut]
    questionnaire_version: str
    expires_at: datetime
    expired: bool
    quiz_page: str


class CampaignOut(CampaignPublic):
    id: UUID
    token: str
    collectivite_siren: str
    commune_insee: str | None
    created_at: datetime
    collective_page: str
    collective_api: str
    responses: int
    shared_responses: int


def _public(campaign: Campaign, now: datetime) -> dict[str, Any]:
    team = campaign.team
    return {
        "team_kind": team.kind,
        "team_label": team.label,
        "members": [MemberOut(insee=m.insee, siren=m.siren, name=m.name) for m in team.members],
        "questionnaire_version": campaign.questionnaire_version,
        "expires_at": campaign.expires_at,
        "expired": campaign.is_expired(now),
        "quiz_page": f"/c/{campaign.token}",
    }


async def _out(conn: Connection, campaign: Campaign, now: datetime) -> CampaignOut:
    total, shared = await repository.count_responses(conn, campaign.id)
    return CampaignOut(
        **_public(campaign, now),
        id=campaign.id,
        token=campaign.token,
        collectivite_siren=campaign.team.siren,
        commune_insee=campaign.team.commune_insee,
        created_at=campaign.created_at,
        collective_page=f"/c/{campaign.token}/collectif",
        collective_api=f"/v1/campaigns/{campaign.id}/collective",
        responses=total,
        shared_responses=shared,
    )


async def _viewable(conn: Connection, campaign_id: UUID, principal: Principal) -> Campaign:
    campaign = await repository.get_campaign(conn, campaign_id)
    if campaign is None:
        raise NotFound("Cette campagne n'existe pas.", code="unknown_campaign")
    if not may_view_collective(principal.roles, principal.authority, principal.sub, campaign):
        raise Forbidden(
            "Seuls l'organisateur de la campagne, les élus de l'équipe et les opérateurs "
            "voient cette campagne.",
            code="not_your_campaign",
        )
    return campaign


@router.post("", status_code=status.HTTP_201_CREATED)
async def open_campaign(
    body: CampaignIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CampaignOut:
    """Open a campaign for a municipal council or an intercommunality (operator, trainer,
    or an élu for their own collectivité)."""
    principal.require(*OPENING_ROLES)
    q = service.questionnaire(body.questionnaire_version)
    team = teams.team_for(body.team_kind, body.collectivite_siren, body.commune_insee)
    if not may_open(principal.roles, principal.authority, team):
        raise Forbidden(
            "Un élu n'ouvre une campagne que pour sa propre collectivité.",
            code="not_your_collectivite",
        )
    now = datetime.now(UTC)
    expires_at = body.expires_at or now + DEFAULT_DURATION
    try:
        check_expiry(now, expires_at)
    except CampaignError as exc:
        raise service.problem(exc) from exc
    async with runtime.transaction() as conn:
        campaign = await repository.insert_campaign(
            conn,
            campaign_id=uuid4(),
            token=secrets.token_urlsafe(18),
            team=team,
            questionnaire_version=q.version,
            created_by=principal.sub,
            expires_at=expires_at,
        )
        return await _out(conn, campaign, now)


@router.get("")
async def list_campaigns(runtime: RuntimeDep, principal: CurrentPrincipal) -> list[CampaignOut]:
    """Campaigns one opened or of one's collectivité (operators: all), newest first."""
    now = datetime.now(UTC)
    async with runtime.pool.acquire() as conn:
        campaigns = await repository.list_campaigns(
            conn,
            everyone="operator" in principal.roles,
            person=principal.sub,
            authority=principal.authority,
        )
        return [await _out(conn, c, now) for c in campaigns]


@router.get("/by-token/{token}")
async def campaign_by_token(token: str, runtime: RuntimeDep) -> CampaignPublic:
    """What a respondent sees of a campaign link; 404 unknown, 410 expired."""
    now = datetime.now(UTC)
    async with runtime.pool.acquire() as conn:
        campaign = service.open_campaign_or_fail(
            await repository.campaign_by_token(conn, token), now
        )
    return CampaignPublic(**_public(campaign, now))


@router.get("/{campaign_id}")
async def get_campaign(
    campaign_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CampaignOut:
    async with runtime.pool.acquire() as conn:
        campaign = await _viewable(conn, campaign_id, principal)
        return await _out(conn, campaign, datetime.now(UTC))


class CampaignChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_at: AwareDatetime


async def _organised(conn: Connection, campaign_id: UUID, principal: Principal) -> Campaign:
    campaign = await _viewable(conn, campaign_id, principal)
    if not ("operator" in principal.roles or principal.sub == campaign.created_by):
        raise Forbidden(
            "Seul l'organisateur de la campagne peut la modifier.", code="not_your_campaign"
        )
    return campaign


@router.patch("/{campaign_id}")
async def change_campaign(
    campaign_id: UUID, body: CampaignChange, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CampaignOut:
    """Move the end of a campaign (to extend it, or reopen one that ended)."""
    now = datetime.now(UTC)
    try:
        check_expiry(now, body.expires_at)
    except CampaignError as exc:
        raise service.problem(exc) from exc
    async with runtime.transaction() as conn:
        await _organised(conn, campaign_id, principal)
        await repository.set_expiry(conn, campaign_id, body.expires_at)
        changed = await repository.get_campaign(conn, campaign_id)
        assert changed is not None
        return await _out(conn, changed, now)


@router.post("/{campaign_id}/close")
async def close_campaign(
    campaign_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CampaignOut:
    """End a campaign now: its link answers 410 from then on."""
    now = datetime.now(UTC)
    async with runtime.transaction() as conn:
        await _organised(conn, campaign_id, principal)
        await repository.close_campaign(conn, campaign_id, now)
        closed = await repository.get_campaign(conn, campaign_id)
        assert closed is not None
        return await _out(conn, closed, now)


@router.get("/{campaign_id}/collective")
async def collective(
    campaign_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """The team's collective result from shared responses only; 409 with the number of
    missing responses while fewer than three have been shared."""
    async with runtime.pool.acquire() as conn:
        campaign = await _viewable(conn, campaign_id, principal)
        result = await service.team_result_or_fail(conn, campaign)
    return {
        "campaign_id": str(campaign.id),
        "team_label": campaign.team.label,
        **service.result_json(result),
    }
