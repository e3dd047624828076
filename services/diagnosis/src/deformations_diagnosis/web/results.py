"""The result pages: one person's result, and a team's for a presentation session."""

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from deformations_diagnosis.api.deps import RuntimeDep
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.domain.campaigns import UnknownCampaignError
from deformations_diagnosis.domain.collective import CollectiveResult
from deformations_diagnosis.domain.errors import UnknownResponseError
from deformations_diagnosis.domain.intercommunality import IntercommunalityResult
from deformations_diagnosis.domain.results import IndividualResult
from deformations_diagnosis.service.collective import CollectivePage, collective_page
from deformations_diagnosis.service.responses import result_with_team
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork
from deformations_diagnosis.web.common import QUIZ_LINK, html, stopped
from deformations_diagnosis.web.render import (
    CommuneRow,
    TeamLink,
    render_collective_result,
    render_individual_result,
    render_message,
)

router = APIRouter(include_in_schema=False)


@router.get("/resultats/{response_id}")
async def result_page(response_id: UUID, runtime: RuntimeDep) -> HTMLResponse:
    try:
        async with runtime.begin(DiagnosisUnitOfWork) as uow:
            found = await result_with_team(uow, response_id)
    except UnknownResponseError:
        return html(
            render_message(
                "Résultat introuvable",
                "Ce résultat n'existe pas, ou son lien est incomplet.",
                QUIZ_LINK,
            ),
            404,
        )
    stored, campaign = found.response, found.campaign
    team = None
    if campaign is not None:
        team = TeamLink(campaign.team.label, f"/c/{campaign.token}/collectif", stored.shared)
    q = load_questionnaire(stored.questionnaire_version)
    result = IndividualResult.model_validate(stored.result)
    return html(render_individual_result(q, result, team))


@router.get("/c/{token}/collectif")
async def team_page(token: str, runtime: RuntimeDep) -> HTMLResponse:
    """For a presentation session: the team's figures from shared responses only.

    Anyone holding the team's link sees it (it is the team's own result, aggregated), also
    after the campaign ended.
    """
    try:
        async with runtime.begin(DiagnosisUnitOfWork) as uow:
            page = await collective_page(uow, token)
    except UnknownCampaignError as exc:
        return stopped(exc)
    return html(_render(page, token))


def _render(page: CollectivePage, token: str) -> str:
    campaign, result = page.campaign, page.result
    q = load_questionnaire(campaign.questionnaire_version)
    if result is None:
        quiz_link = campaign.quiz_page if page.open else None
        return render_collective_result(
            q,
            None,
            team_name=campaign.team.label,
            missing=page.missing,
            quiz_link=quiz_link,
            signed_in_only=campaign.signed_in_only,
        )
    if not isinstance(result, IntercommunalityResult):
        return render_collective_result(
            q, result, team_name=campaign.team.label, signed_in_only=campaign.signed_in_only
        )
    rows: list[CommuneRow] = []
    for commune in result.communes:
        member = campaign.team.member(commune.insee)
        rows.append(
            CommuneRow(
                member.name if member else commune.insee,
                commune.result.respondents,
                _most_present(commune.result),
            )
        )
    if result.others is not None:
        rows.append(
            CommuneRow(
                f"Autres communes ({len(result.pooled_communes)})",
                result.others.respondents,
                _most_present(result.others),
            )
        )
    return render_collective_result(
        q,
        result.total,
        team_name=campaign.team.label,
        communes=rows,
        signed_in_only=campaign.signed_in_only,
    )


def _most_present(result: CollectiveResult) -> str:
    """The family most present, when at least 3 people share it (the result shows no
    smaller family): a commune of three answers in three families names none."""
    if not result.families:
        return "Profils variés"
    return max(result.families, key=lambda f: f.count).name
