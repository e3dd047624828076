"""Queries of a team's collective result, from the responses shared with it only."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from deformations_common.auth import Principal
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.domain.campaigns import (
    Campaign,
    UnknownCampaignError,
    missing_responses,
)
from deformations_diagnosis.domain.collective import CollectiveResult, collective_result
from deformations_diagnosis.domain.errors import NotEnoughResponsesError
from deformations_diagnosis.domain.intercommunality import (
    IntercommunalityResult,
    intercommunality_result,
)
from deformations_diagnosis.domain.results import IndividualResult
from deformations_diagnosis.service.campaigns import viewable
from deformations_diagnosis.service.questionnaires import refresh
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork

TeamResult = CollectiveResult | IntercommunalityResult


async def team_result(uow: DiagnosisUnitOfWork, campaign: Campaign) -> TeamResult | None:
    """The campaign's collective result from shared responses; ``None`` under the minimum."""
    q = load_questionnaire(campaign.questionnaire_version)
    shared = await uow.responses.shared_results(campaign.id)
    if len(shared) < q.min_collective_responses:
        return None
    if campaign.team.kind is TeamKind.INTERCOMMUNALITY:
        by_commune: dict[str, list[IndividualResult]] = {}
        for insee, stored in shared:
            by_commune.setdefault(insee, []).append(IndividualResult.model_validate(stored))
        return intercommunality_result(q, by_commune)
    return collective_result(q, [IndividualResult.model_validate(r) for _, r in shared])


@dataclass(frozen=True)
class TeamView:
    campaign: Campaign
    result: TeamResult


async def collective_of(
    uow: DiagnosisUnitOfWork, principal: Principal, campaign_id: UUID
) -> TeamView:
    """The team's result for those who may see it; 409 with what is missing under the
    minimum."""
    campaign = await viewable(uow, principal, campaign_id)
    await refresh(uow)
    result = await team_result(uow, campaign)
    if result is None:
        minimum = load_questionnaire(campaign.questionnaire_version).min_collective_responses
        _, shared = await uow.responses.count_for_campaign(campaign.id)
        raise NotEnoughResponsesError(shared, minimum)
    return TeamView(campaign, result)


@dataclass(frozen=True)
class CollectivePage:
    """What the team's presentation page shows: the result, or how many responses miss."""

    campaign: Campaign
    result: TeamResult | None
    missing: int
    open: bool


async def collective_page(uow: DiagnosisUnitOfWork, token: str) -> CollectivePage:
    """Anyone holding the team's link sees its aggregated result, also after the end."""
    campaign = await uow.campaigns.by_token(token)
    if campaign is None:
        raise UnknownCampaignError()
    await refresh(uow)
    result = await team_result(uow, campaign)
    minimum = load_questionnaire(campaign.questionnaire_version).min_collective_responses
    missing = 0
    if result is None:
        _, shared = await uow.responses.count_for_campaign(campaign.id)
        missing = missing_responses(shared, minimum)
    return CollectivePage(campaign, result, missing, not campaign.is_expired(uow.now()))
