"""HTTP API of questionnaire versions for operators: upload a version's YAML, preview it
as the quiz will show it, publish it (it becomes the current version for new responses)."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from deformations_common.auth import CurrentPrincipal
from deformations_diagnosis.api.deps import RuntimeDep
from deformations_diagnosis.content.upload import MAX_SOURCE_CHARS
from deformations_diagnosis.service import questionnaires
from deformations_diagnosis.service.questionnaires import VersionLine
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork

router = APIRouter(prefix="/v1/questionnaire-versions", tags=["questionnaire versions"])


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(max_length=MAX_SOURCE_CHARS, description="The questionnaire file, in YAML.")


class VersionOut(BaseModel):
    version: str
    title: str
    shipped: bool = Field(description="A file of the service, not an upload")
    published: bool
    current: bool = Field(description="The version new responses answer")
    uploaded_at: datetime | None = None
    published_at: datetime | None = None


class VersionsOut(BaseModel):
    versions: list[VersionOut]


class PreviewOut(VersionOut):
    questionnaire: dict[str, Any] = Field(description="As GET /v1/questionnaires/{version}")


def _out(line: VersionLine) -> VersionOut:
    return VersionOut(
        version=line.version,
        title=line.title,
        shipped=line.shipped,
        published=line.published,
        current=line.current,
        uploaded_at=line.uploaded_at,
        published_at=line.published_at,
    )


@router.get("")
async def list_versions(runtime: RuntimeDep, principal: CurrentPrincipal) -> VersionsOut:
    """Every version, drafts included (operators)."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        lines = await questionnaires.catalogue(uow, principal)
    return VersionsOut(versions=[_out(line) for line in lines])


@router.post("", status_code=status.HTTP_201_CREATED)
async def upload_version(
    body: SourceIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> VersionOut:
    """Store a questionnaire file as a draft of the version it declares (operators). A
    file that breaks the format is refused with every problem (``problems``, in French)
    and nothing is stored; a published version is never replaced (409)."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        uploaded = await questionnaires.upload(uow, principal, body.source)
    return _out(uploaded)


@router.get("/{version}")
async def preview_version(
    version: str, runtime: RuntimeDep, principal: CurrentPrincipal
) -> PreviewOut:
    """A version, a draft too, as the quiz will show it (operators)."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        found = await questionnaires.preview(uow, principal, version)
    return PreviewOut(
        **_out(found.line).model_dump(), questionnaire=found.questionnaire.model_dump(mode="json")
    )


@router.post("/{version}/publish")
async def publish_version(
    version: str, runtime: RuntimeDep, principal: CurrentPrincipal
) -> VersionOut:
    """Make a draft the current version: new responses answer it, past responses keep
    theirs (operators)."""
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        published = await questionnaires.publish(uow, principal, version)
    return _out(published)
