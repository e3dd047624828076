"""HTTP API of the diagnosis service."""

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from deformations_common.auth import OptionalPrincipal
from deformations_common.errors import Conflict, NotFound, Unprocessable
from deformations_common.service import RuntimeDep
from deformations_diagnosis import events, repository
from deformations_diagnosis.content.loader import (
    UnknownQuestionnaireVersionError,
    load_questionnaire,
)
from deformations_diagnosis.domain.errors import SubmissionError
from deformations_diagnosis.domain.scoring import score_submission
from deformations_diagnosis.domain.submission import Submission

router = APIRouter(prefix="/v1", tags=["responses"])


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submission_id: UUID = Field(
        description="Chosen by the client once per filled quiz: a replay is refused."
    )
    questionnaire_version: str = Field(min_length=1, max_length=40)
    answers: dict[str, list[str]] = Field(max_length=60)


class ResponseOut(BaseModel):
    response_id: UUID
    questionnaire_version: str
    result: dict[str, Any]


def _submission_problem(error: SubmissionError) -> Unprocessable:
    return Unprocessable(error.message_fr, code=error.code, details=error.details)


@router.post("/responses", status_code=status.HTTP_201_CREATED)
async def submit_response(
    body: ResponseIn, runtime: RuntimeDep, principal: OptionalPrincipal
) -> ResponseOut:
    """Score a completed quiz, store it and publish ``diagnosis.completed.v1``."""
    try:
        questionnaire = load_questionnaire(body.questionnaire_version)
    except UnknownQuestionnaireVersionError as exc:
        raise Unprocessable(
            f"La version « {body.questionnaire_version} » du questionnaire n'existe pas.",
            code="unknown_version",
        ) from exc
    submission = Submission(
        questionnaire_version=body.questionnaire_version,
        answers={item: tuple(options) for item, options in body.answers.items()},
    )
    try:
        result = score_submission(questionnaire, submission)
    except SubmissionError as exc:
        raise _submission_problem(exc) from exc
    response_id = uuid4()
    person_id = principal.sub if principal else None
    stored = result.model_dump(mode="json")
    async with runtime.transaction() as conn:
        created_at = await repository.insert_response(
            conn,
            response_id=response_id,
            submission_id=body.submission_id,
            questionnaire_version=questionnaire.version,
            person_id=person_id,
            answers=body.answers,
            result=stored,
            family=result.family,
        )
        if created_at is None:
            raise Conflict("Ces réponses ont déjà été enregistrées.", code="submission_replayed")
        event = events.completed(
            questionnaire,
            result,
            response_id=response_id,
            person_id=person_id,
            completed_at=created_at,
        )
        await runtime.emit(conn, event)
    return ResponseOut(
        response_id=response_id, questionnaire_version=questionnaire.version, result=stored
    )


@router.get("/responses/{response_id}")
async def get_response(response_id: UUID, runtime: RuntimeDep) -> ResponseOut:
    async with runtime.pool.acquire() as conn:
        stored = await repository.get_response(conn, response_id)
    if stored is None:
        raise NotFound(f"no response {response_id}")
    return ResponseOut(
        response_id=stored.id,
        questionnaire_version=stored.questionnaire_version,
        result=stored.result,
    )
