"""HTTP API of campaigns: open one for a team, share its link, read its collective result."""

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from deformations_common.auth import CurrentPrincipal
from deformations_contracts.events.diagnosis import TeamKind
from deformations_contracts.types import InseeCode, Siren
from deformations_diagnosis.api.deps import RuntimeDep
from deformations_diagnosis.domain.intercommunality import IntercommunalityResult
from deformations_diagnosis.service import campaigns
from deformations_diagnosis.service.campaigns import CampaignView
from deformations_diagnosis.service.collective import TeamResult, collective_of
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])


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
    questionnaire_version: str | None = Field(
        default=None, max_length=40, description="Default: the current version."
    )
    signed_in_only: bool = Field(
        default=True,
        description=(
            "Count only signed-in people's answers (« réponses de personnes connectées "
            "seulement »): the link leads to the portal's signed-in quiz and anonymous "
            "answers are refused (403), so nobody can fake answers to reach the collective "
            "result's threshold, and each person counts once. On unless turned off."
        ),
    )


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
    signed_in_only: bool
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


class CampaignChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_at: AwareDatetime


def _public(view: CampaignView) -> dict[str, Any]:
    campaign = view.campaign
    team = campaign.team
    return {
        "team_kind": team.kind,
        "team_label": team.label,
        "members": [MemberOut(insee=m.insee, siren=m.siren, name=m.name) for m in team.members],
        "questionnaire_version": campaign.questionnaire_version,
        "expires_at": campaign.expires_at,
        "expired": view.expired,
        "signed_in_only": campaign.signed_in_only,
        "quiz_page": campaign.quiz_page,
    }


def _out(view: CampaignView) -> CampaignOut:
    campaign = view.campaign
    return CampaignOut(
        **_public(view),
        id=campaign.id,
        token=campaign.token,
        collectivite_siren=campaign.team.siren,
        commune_insee=campaign.team.commune_insee,
        created_at=campaign.created_at,
        collective_page=f"/c/{campaign.token}/collectif",
        collective_api=f"/v1/campaigns/{campaign.id}/collective",
        responses=view.responses,
        shared_responses=view.shared_responses,
    )


def _team_json(result: TeamResult) -> dict[str, Any]:
    if isinstance(result, IntercommunalityResult):
        return {"kind": "intercommunality", **result.model_dump(mode="json")}
    return {"kind": "municipal_council", "total": result.model_dump(mode="json")}


@router.post("", status_code=status.HTTP_201_CREATED)
async def open_campaign(
    body: CampaignIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CampaignOut:
    """Open a campaign for a municipal council or an intercommunality (operator, trainer,
    or an élu for their own collectivité)."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        view = await campaigns.open_campaign(
            uow,
            principal,
            team_kind=body.team_kind,
            collectivite_siren=body.collectivite_siren,
            commune_insee=body.commune_insee,
            expires_at=body.expires_at,
            questionnaire_version=body.questionnaire_version,
            signed_in_only=body.signed_in_only,
        )
    return _out(view)


@router.get("")
async def list_campaigns(runtime: RuntimeDep, principal: CurrentPrincipal) -> list[CampaignOut]:
    """Campaigns one opened or of one's collectivité (operators: all), newest first."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        views = await campaigns.visible_campaigns(uow, principal)
    return [_out(v) for v in views]


@router.get("/by-token/{token}")
async def campaign_by_token(token: str, runtime: RuntimeDep) -> CampaignPublic:
    """What a respondent sees of a campaign link; 404 unknown, 410 expired."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        campaign = await campaigns.campaign_link(uow, token)
    return CampaignPublic(**_public(CampaignView(campaign, expired=False)))


@router.get("/{campaign_id}")
async def get_campaign(
    campaign_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CampaignOut:
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        view = await campaigns.campaign(uow, principal, campaign_id)
    return _out(view)


@router.patch("/{campaign_id}")
async def change_campaign(
    campaign_id: UUID, body: CampaignChange, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CampaignOut:
    """Move the end of a campaign (to extend it, or reopen one that ended)."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        view = await campaigns.change_expiry(uow, principal, campaign_id, body.expires_at)
    return _out(view)


@router.post("/{campaign_id}/close")
async def close_campaign(
    campaign_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CampaignOut:
    """End a campaign now: its link answers 410 from then on."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        view = await campaigns.close_campaign(uow, principal, campaign_id)
    return _out(view)


@router.get("/{campaign_id}/collective")
async def collective(
    campaign_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """The team's collective result from shared responses only; 409 with the number of
    missing responses while fewer than three have been shared."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        team = await collective_of(uow, principal, campaign_id)
    return {
        "campaign_id": str(team.campaign.id),
        "team_label": team.campaign.team.label,
        "signed_in_only": team.campaign.signed_in_only,
        **_team_json(team.result),
    }
