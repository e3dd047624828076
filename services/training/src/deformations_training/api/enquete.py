"""Les élus enquêteurs: question and guide, field list, interview notes, learnings."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from deformations_common.auth import CurrentPrincipal
from deformations_training.api.common import RuntimeDep, actor
from deformations_training.api.schemas import In, PersonId, Siren
from deformations_training.domain.enquete import Enquete, FieldEntry, FieldStatus, Learning
from deformations_training.service import enquete
from deformations_training.service.uow import TrainingUow

router = APIRouter(prefix="/v1/programmes/{programme_id}/enquete", tags=["élus enquêteurs"])


class QuestionIn(In):
    question: str = Field(max_length=500)
    guide: list[str] = Field(min_length=1, max_length=30)


class FieldIn(In):
    collectivite_siren: Siren
    whom: str = Field(max_length=200)
    place: str = Field(max_length=200)
    person_id: PersonId | None = None


class InterviewIn(In):
    notes: str = Field(max_length=10_000)


class LearningIn(In):
    text: str = Field(max_length=2000)
    share: bool = False


class FieldOut(BaseModel):
    id: UUID
    collectivite_siren: str
    collectivite: str
    whom: str
    place: str
    person_id: str | None
    status: FieldStatus
    notes: list[str]
    met_at: datetime | None

    @classmethod
    def of(cls, e: FieldEntry) -> FieldOut:
        return cls(
            id=e.id,
            collectivite_siren=e.collectivite_siren,
            collectivite=e.collectivite,
            whom=e.whom,
            place=e.place,
            person_id=e.person_id,
            status=e.status,
            notes=e.notes,
            met_at=e.met_at,
        )


class LearningOut(BaseModel):
    id: UUID
    text: str
    written_by: str
    shared: bool

    @classmethod
    def of(cls, item: Learning) -> LearningOut:
        return cls(
            id=item.id,
            text=item.text,
            written_by=item.written_by,
            shared=item.shared_at is not None,
        )


class EnqueteOut(BaseModel):
    question: str
    guide: list[str]
    field_list: list[FieldOut]
    learnings: list[LearningOut]
    network: list[str]

    @classmethod
    def of(cls, e: Enquete) -> EnqueteOut:
        return cls(
            question=e.question,
            guide=e.guide,
            field_list=[FieldOut.of(f) for f in e.field_list],
            learnings=[LearningOut.of(item) for item in e.learnings],
            network=e.network(),
        )


@router.get("")
async def view(programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> EnqueteOut:
    async with runtime.begin(TrainingUow) as uow:
        return EnqueteOut.of(await enquete.view(uow, actor(principal), programme_id))


@router.put("/question")
async def set_question(
    programme_id: UUID, body: QuestionIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> EnqueteOut:
    async with runtime.begin(TrainingUow) as uow:
        found = await enquete.set_question(
            uow, actor(principal), programme_id, question=body.question, guide=body.guide
        )
        return EnqueteOut.of(found)


@router.post("/field", status_code=status.HTTP_201_CREATED)
async def add_field(
    programme_id: UUID, body: FieldIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> FieldOut:
    """Ajouter à la liste de terrain une collectivité (COG), qui rencontrer et où."""
    async with runtime.begin(TrainingUow) as uow:
        entry = await enquete.add_field(
            uow,
            actor(principal),
            programme_id,
            collectivite_siren=body.collectivite_siren,
            whom=body.whom,
            place=body.place,
            person_id=body.person_id,
        )
        return FieldOut.of(entry)


@router.post("/field/{entry_id}/interview", status_code=status.HTTP_201_CREATED)
async def interview(
    programme_id: UUID,
    entry_id: UUID,
    body: InterviewIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> FieldOut:
    async with runtime.begin(TrainingUow) as uow:
        entry = await enquete.interview(uow, actor(principal), programme_id, entry_id, body.notes)
        return FieldOut.of(entry)


@router.post("/learnings", status_code=status.HTTP_201_CREATED)
async def learn(
    programme_id: UUID, body: LearningIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> LearningOut:
    async with runtime.begin(TrainingUow) as uow:
        found = await enquete.learn(
            uow, actor(principal), programme_id, body.text, share=body.share
        )
        return LearningOut.of(found)


@router.get("/learnings/shared")
async def shared_learnings(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[LearningOut]:
    """Les apprentissages partagés : pour le groupe et le réseau rencontré."""
    async with runtime.begin(TrainingUow) as uow:
        found = await enquete.shared_learnings(uow, actor(principal), programme_id)
        return [LearningOut.of(item) for item in found]
