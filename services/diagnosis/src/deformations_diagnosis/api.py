"""HTTP API of the diagnosis service: questionnaires and responses."""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deformations_common.auth import OptionalPrincipal
from deformations_common.errors import NotFound
from deformations_common.service import RuntimeDep
from deformations_diagnosis import repository, service
from deformations_diagnosis.content.loader import CURRENT_VERSION, available_versions

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


class Versions(BaseModel):
    current: str
    available: list[str]


@router.get("/questionnaires", tags=["questionnaires"])
async def questionnaire_versions() -> Versions:
    return Versions(current=CURRENT_VERSION, available=list(available_versions()))


@router.get("/questionnaires/current", tags=["questionnaires"])
async def current_questionnaire() -> dict[str, Any]:
    """The questionnaire to answer now: items, options, axes and families."""
    return service.questionnaire(CURRENT_VERSION).model_dump(mode="json")


@router.get("/questionnaires/{version}", tags=["questionnaires"])
async def questionnaire_by_version(version: str) -> dict[str, Any]:
    """A questionnaire version, current or past: past responses are read with theirs."""
    if version not in available_versions():
        raise NotFound(f"La version « {version} » du questionnaire n'existe pas.")
    return service.questionnaire(version).model_dump(mode="json")


@router.post("/responses", status_code=status.HTTP_201_CREATED)
async def submit_response(
    body: ResponseIn, runtime: RuntimeDep, principal: OptionalPrincipal
) -> ResponseOut:
    """Score a completed quiz, store it and publish ``diagnosis.completed.v1``.

    With a campaign token and consent, the team's result is recomputed and, from three
    shared responses, published as ``diagnosis.team_updated.v1`` in the same transaction.
    """
    submitted = await service.submit(
        runtime,
        submission_id=body.submission_id,
        version=body.questionnaire_version,
        answers=body.answers,
        person_id=principal.sub if principal else None,
        now=datetime.now(UTC),
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
    )


@router.get("/responses/{response_id}")
async def get_response(response_id: UUID, runtime: RuntimeDep) -> ResponseOut:
    """A result, by the unguessable id given at submission (anonymous respondents have no
    account: the id is their key)."""
    async with runtime.pool.acquire() as conn:
        stored = await repository.get_response(conn, response_id)
    if stored is None:
        raise NotFound(f"no response {response_id}")
    return ResponseOut(
        response_id=stored.id,
        questionnaire_version=stored.questionnaire_version,
        campaign_id=stored.campaign_id,
        shared_with_team=stored.shared,
        result_page=f"/resultats/{stored.id}",
        result=stored.result,
    )
