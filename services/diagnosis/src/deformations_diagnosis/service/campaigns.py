"""Use cases of campaigns: open one for a team, read it, move or close its end."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from deformations_common.auth import Principal
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.access import (
    check_may_change,
    check_may_open,
    check_may_view,
    check_opening_role,
    may_view_collective,
    sees_every_campaign,
)
from deformations_diagnosis.domain.campaigns import (
    Campaign,
    CampaignNotFoundError,
    check_expiry,
    open_or_fail,
)
from deformations_diagnosis.domain.teams import team_for
from deformations_diagnosis.service.questionnaires import named, refresh
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork

DEFAULT_DURATION = timedelta(days=30)


@dataclass(frozen=True)
class CampaignView:
    """A campaign as of the unit of work's time, with its response counts."""

    campaign: Campaign
    expired: bool
    responses: int = 0
    shared_responses: int = 0


async def _view(uow: DiagnosisUnitOfWork, campaign: Campaign) -> CampaignView:
    total, shared = await uow.responses.count_for_campaign(campaign.id)
    return CampaignView(campaign, campaign.is_expired(uow.now()), total, shared)


async def open_campaign(
    uow: DiagnosisUnitOfWork,
    principal: Principal,
    *,
    team_kind: TeamKind,
    collectivite_siren: str | None,
    commune_insee: str | None,
    expires_at: datetime | None,
    questionnaire_version: str | None,
    signed_in_only: bool = True,
) -> CampaignView:
    """Open a campaign for a municipal council or an intercommunality (operator, trainer,
    or an élu for their own collectivité) on the current questionnaire unless a version is
    named; it ends in 30 days unless told otherwise."""
    check_opening_role(principal.roles)
    q = await named(uow, questionnaire_version or await refresh(uow))
    team = team_for(team_kind, collectivite_siren, commune_insee)
    check_may_open(principal.roles, principal.authority, team)
    now = uow.now()
    ends = expires_at or now + DEFAULT_DURATION
    check_expiry(now, ends)
    campaign = Campaign(
        id=uuid4(),
        token=secrets.token_urlsafe(18),
        team=team,
        questionnaire_version=q.version,
        created_by=principal.sub,
        created_at=now,
        expires_at=ends,
        signed_in_only=signed_in_only,
    )
    await uow.campaigns.add(campaign)
    return CampaignView(campaign, expired=False)


async def visible_campaigns(uow: DiagnosisUnitOfWork, principal: Principal) -> list[CampaignView]:
    """Campaigns one opened or of one's collectivité (operators: all), newest first."""
    campaigns = await uow.campaigns.visible_to(
        everyone=sees_every_campaign(principal.roles),
        person=principal.sub,
        authority=principal.authority,
    )
    # The list shows (with their tokens) only what the single read would: the query finds
    # campaigns by collectivité, whatever the reader's role there.
    seen = [
        c
        for c in campaigns
        if may_view_collective(principal.roles, principal.authority, principal.sub, c)
    ]
    return [await _view(uow, c) for c in seen]


async def campaign_link(uow: DiagnosisUnitOfWork, token: str) -> Campaign:
    """The campaign of a link while it takes answers: 404 unknown, 410 over."""
    await refresh(uow)  # its pages show its version
    return open_or_fail(await uow.campaigns.by_token(token), uow.now())


async def viewable(uow: DiagnosisUnitOfWork, principal: Principal, campaign_id: UUID) -> Campaign:
    campaign = await uow.campaigns.get(campaign_id)
    if campaign is None:
        raise CampaignNotFoundError()
    check_may_view(principal.roles, principal.authority, principal.sub, campaign)
    return campaign


async def campaign(
    uow: DiagnosisUnitOfWork, principal: Principal, campaign_id: UUID
) -> CampaignView:
    return await _view(uow, await viewable(uow, principal, campaign_id))


async def _organised(uow: DiagnosisUnitOfWork, principal: Principal, campaign_id: UUID) -> Campaign:
    found = await viewable(uow, principal, campaign_id)
    check_may_change(principal.roles, principal.sub, found)
    return found


async def change_expiry(
    uow: DiagnosisUnitOfWork, principal: Principal, campaign_id: UUID, expires_at: datetime
) -> CampaignView:
    """Move the end of a campaign (to extend it, or reopen one that ended)."""
    # Rights first: a stranger learns nothing from the date (404/403 before 422).
    found = await _organised(uow, principal, campaign_id)
    check_expiry(uow.now(), expires_at)
    await uow.campaigns.set_expiry(campaign_id, expires_at)
    return await _view(uow, replace(found, expires_at=expires_at))


async def close_campaign(
    uow: DiagnosisUnitOfWork, principal: Principal, campaign_id: UUID
) -> CampaignView:
    """End a campaign now: its link answers 410 from then on."""
    now = uow.now()
    found = await _organised(uow, principal, campaign_id)
    await uow.campaigns.close(campaign_id, now)
    return await _view(uow, replace(found, expires_at=min(found.expires_at, now)))
