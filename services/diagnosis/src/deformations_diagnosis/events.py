"""The events diagnosis publishes, built from domain results."""

from datetime import datetime
from uuid import UUID

from deformations_contracts.events.diagnosis import (
    Availability,
    AxisStatistics,
    DiagnosisCompleted,
    DiagnosisTeamUpdated,
    NextStep,
    TeamKind,
)
from deformations_contracts.values import HALF_DAY_MINUTES
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.campaigns import Campaign
from deformations_diagnosis.domain.collective import CollectiveResult
from deformations_diagnosis.domain.results import IndividualResult

# The events this service publishes (declared for the AsyncAPI document).
PRODUCED = (DiagnosisCompleted, DiagnosisTeamUpdated)
MAX_MEMBER_SIRENS = 300


def completed(
    questionnaire: Questionnaire,
    result: IndividualResult,
    *,
    response_id: UUID,
    person_id: str | None,
    completed_at: datetime,
    campaign: Campaign | None = None,
    commune_insee: str | None = None,
    shared: bool = False,
) -> DiagnosisCompleted:
    families = {family.code: family.name for family in questionnaire.families}
    steps = (result.next_step, *result.alternatives)
    commune = campaign.team.member(commune_insee) if campaign and commune_insee else None
    return DiagnosisCompleted(
        response_id=response_id,
        questionnaire_version=result.questionnaire_version,
        person_id=person_id,
        campaign_id=campaign.id if campaign else None,
        collectivite_siren=commune.siren if commune else None,
        commune_insee=commune_insee if campaign else None,
        family=result.family,
        family_label=families.get(result.family),
        second_family=result.second_family,
        clear_cut=result.clarity_index,
        axis_scores=result.axis_scores,
        priority_themes=list(result.priority_themes),
        availability=Availability(
            time_slots=list(result.availability.slots),
            modality=result.availability.modality,
            half_days_per_month=min(20, result.availability.minutes_per_month // HALF_DAY_MINUTES),
        ),
        next_steps=[
            NextStep(recipe_code=s.recipe_code, format=s.format_code, label=s.title)
            for s in steps[:5]
        ],
        shared_with_team=shared and campaign is not None,
        completed_at=completed_at,
    )


def team_updated(
    campaign: Campaign, result: CollectiveResult, *, updated_at: datetime
) -> DiagnosisTeamUpdated:
    """The team's collective result, aggregated only (the domain refused groups under 3)."""
    team = campaign.team
    members: list[str] = []
    if team.kind is TeamKind.INTERCOMMUNALITY:
        members = [m.siren for m in team.members if m.siren][:MAX_MEMBER_SIRENS]
    return DiagnosisTeamUpdated(
        campaign_id=campaign.id,
        team_kind=team.kind,
        collectivite_siren=team.siren,
        commune_insee=team.commune_insee,
        team_label=team.label,
        member_sirens=members,
        questionnaire_version=result.questionnaire_version,
        response_count=result.respondents,
        family_distribution={f.family: f.count for f in result.families},
        axis_statistics={
            a.axis: AxisStatistics(mean=a.mean, spread=min(100.0, a.spread)) for a in result.axes
        },
        divergent_axes=list(result.divergent_axes),
        shared_priority_themes=[t.theme for t in result.shared_themes],
        updated_at=updated_at,
    )
