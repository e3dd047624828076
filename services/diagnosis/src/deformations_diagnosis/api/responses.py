"""HTTP API of questionnaires and responses."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deformations_common.auth import CurrentPrincipal, OptionalPrincipal
from deformations_diagnosis.api.deps import RuntimeDep
from deformations_diagnosis.domain.history import DatedSummary, Progress, ResultSummary
from deformations_diagnosis.repositories.responses import StoredResponse
from deformations_diagnosis.service import questionnaires, responses
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork

router = APIRouter(prefix="/v1", tags=["responses"])
# As bounded as the domain's Submission: oversized input is refused before any work.
AnswerId = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submission_id: UUID = Field(
        description="Chosen by the client once per filled quiz: a replay is refused."
    )
    questionnaire_version: str = Field(min_length=1, max_length=40)
    answers: dict[AnswerId, Annotated[list[AnswerId], Field(max_length=30)]] = Field(
        max_length=60, description="Option ids chosen, by item id."
    )
    campaign_token: str | None = Field(
        default=None, min_length=8, max_length=64, description="The token of a campaign link."
    )
    commune_insee: str | None = Field(
        default=None,
        pattern=r"^[0-9][0-9AB][0-9]{3}$",
        description="The respondent's commune, for an intercommunality campaign.",
    )
    share_with_team: bool = Field(
        default=False, description="Consent to count this result in the team's collective one."
    )


class ResponseOut(BaseModel):
    response_id: UUID
    questionnaire_version: str
    campaign_id: UUID | None = None
    shared_with_team: bool = False
    result_page: str
    result: dict[str, Any]
    summary: ResultSummary | None = Field(
        default=None, description="Family, axes and themes named as the version answered"
    )


class MyResponsesOut(BaseModel):
    responses: list[DatedSummary] = Field(description="Newest first")
    progress: Progress | None = Field(
        description="From the second newest to the newest; none under two responses"
    )


class Versions(BaseModel):
    current: str
    available: list[str]


@router.get("/questionnaires", tags=["questionnaires"])
async def questionnaire_versions(runtime: RuntimeDep) -> Versions:
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        found = await questionnaires.versions(uow)
    return Versions(current=found.current, available=list(found.available))


@router.get("/questionnaires/current", tags=["questionnaires"])
async def current_questionnaire(runtime: RuntimeDep) -> dict[str, Any]:
    """The questionnaire to answer now: items, options, axes and families."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        found = await questionnaires.current(uow)
    return found.model_dump(mode="json")


@router.get("/questionnaires/{version}", tags=["questionnaires"])
async def questionnaire_by_version(version: str, runtime: RuntimeDep) -> dict[str, Any]:
    """A questionnaire version, current or past: past responses are read with theirs."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        found = await questionnaires.published(uow, version)
    return found.model_dump(mode="json")


@router.post("/responses", status_code=status.HTTP_201_CREATED)
async def submit_response(
    body: ResponseIn, runtime: RuntimeDep, principal: OptionalPrincipal
) -> ResponseOut:
    """Score a completed quiz, store it and publish ``diagnosis.completed.v1``.

    With a campaign token and consent, the team's result is recomputed and, from three
    shared responses, published as ``diagnosis.team_updated.v1`` in the same transaction.
    """
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        submitted = await responses.submit(
            uow,
            submission_id=body.submission_id,
            version=body.questionnaire_version,
            answers=body.answers,
            person_id=principal.sub if principal else None,
            campaign_token=body.campaign_token,
            commune_insee=body.commune_insee,
            share=body.share_with_team,
        )
    return ResponseOut(
        response_id=submitted.response_id,
        questionnaire_version=submitted.result.questionnaire_version,
        campaign_id=submitted.campaign.id if submitted.campaign else None,
        shared_with_team=submitted.shared,
        result_page=f"/resultats/{submitted.response_id}",
        result=submitted.result.model_dump(mode="json"),
        summary=responses.summary_of_result(submitted.result),
    )


@router.get("/responses/{response_id}")
async def get_response(response_id: UUID, runtime: RuntimeDep) -> ResponseOut:
    """A result, by the unguessable id given at submission (anonymous respondents have no
    account: the id is their key)."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        stored = await responses.response(uow, response_id)
    return _response_out(stored)


def _response_out(stored: StoredResponse) -> ResponseOut:
    return ResponseOut(
        response_id=stored.id,
        questionnaire_version=stored.questionnaire_version,
        campaign_id=stored.campaign_id,
        shared_with_team=stored.shared,
        result_page=f"/resultats/{stored.id}",
        result=stored.result,
        summary=responses.summary_of(stored),
    )


@router.get("/me/responses/{response_id}")
async def my_response(
    response_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ResponseOut:
    """One of the signed-in person's results; anyone else's, or an anonymous one, is 404."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        stored = await responses.her_response(uow, response_id, principal.sub)
    return _response_out(stored)


@router.get("/me/responses")
async def my_responses(runtime: RuntimeDep, principal: CurrentPrincipal) -> MyResponsesOut:
    """The responses the signed-in person gave, newest first, each summed up per thématique
    (axes, family, priority themes), and the progress between the two newest."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        found = await responses.history(uow, principal.sub)
    return MyResponsesOut(responses=found.responses, progress=found.progress)
