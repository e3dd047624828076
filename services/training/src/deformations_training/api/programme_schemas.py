"""Input and output bodies of the programmes' JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from deformations_contracts.catalogue.programmes import ProgrammeStep, RecipeProgramme
from deformations_training.api.schemas import In, Insee, PersonId, Siren
from deformations_training.domain.carnet import CarnetEntry, EntryKind
from deformations_training.domain.programmes import (
    InvitationStatus,
    Material,
    MaterialKind,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    StepStatus,
)
from deformations_training.domain.toolbox import Figure, Toolbox

RecipeCode = Annotated[str, StringConstraints(pattern=r"^t(0[1-9]|1[01])_[a-z0-9_]{2,35}$")]
StepKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class ProgrammeIn(In):
    recipe_code: RecipeCode
    territory_siren: Siren
    title: str | None = Field(default=None, max_length=300)


class InviteeIn(In):
    person_id: PersonId
    collectivite_siren: Siren | None = None


class InviteIn(In):
    people: list[InviteeIn] = Field(min_length=1, max_length=60)


class AnswerIn(In):
    accept: bool
    # The co-dev des formateurs is joined by accepting its charter.
    charter_accepted: bool = False


class StepFinishIn(In):
    skipped: bool = False


class MaterialIn(In):
    step_key: StepKey
    kind: MaterialKind
    title: str = Field(max_length=200)
    body: str = Field(max_length=20_000)


class ProgrammeSessionIn(In):
    step_key: StepKey
    title: str = Field(max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    remote: bool = False
    place_label: str | None = Field(default=None, min_length=3, max_length=200)
    place_insee: Insee | None = None


class RescheduleIn(In):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str | None = Field(default=None, max_length=300)


class CancelIn(In):
    reason: str = Field(min_length=3, max_length=300)


class ReviewAnswerIn(In):
    score: int = Field(ge=1, le=4)
    comment: str | None = Field(default=None, max_length=2000)


class ReviewIn(In):
    answers: list[ReviewAnswerIn] = Field(min_length=1, max_length=20)


class EntryIn(In):
    kind: EntryKind
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=20_000)
    tags: list[str] = Field(default_factory=list, max_length=12)
    offer_id: UUID | None = None
    url: str | None = Field(default=None, max_length=2000)


class ShareIn(In):
    shared: bool


class RecipeStepOut(BaseModel):
    key: str
    title: str
    produces: list[str]
    duration_days: int
    participants: list[str]
    done_when: list[str]
    with_session: bool

    @classmethod
    def of(cls, step: ProgrammeStep) -> RecipeStepOut:
        return cls(
            key=step.key,
            title=step.title,
            produces=list(step.produces),
            duration_days=step.duration_days,
            participants=list(step.participants),
            done_when=list(step.done_when),
            with_session=step.with_session,
        )


class RecipeOut(BaseModel):
    code: str
    title: str
    facilitator: str
    duration_days: int
    steps: list[RecipeStepOut]
    happy_if: list[str]
    tool: str | None
    tool_note: str | None

    @classmethod
    def of(cls, recipe: RecipeProgramme, title: str) -> RecipeOut:
        return cls(
            code=recipe.code,
            title=title,
            facilitator=recipe.facilitator,
            duration_days=recipe.duration_days,
            steps=[RecipeStepOut.of(s) for s in recipe.steps],
            happy_if=list(recipe.happy_if),
            tool=recipe.tool.tool.value if recipe.tool else None,
            tool_note=recipe.tool.note if recipe.tool else None,
        )


class ParticipantOut(BaseModel):
    person_id: str
    collectivite_siren: str | None
    status: InvitationStatus


class StepStateOut(BaseModel):
    key: str
    title: str
    status: StepStatus
    started_at: datetime | None
    finished_at: datetime | None


class MaterialOut(BaseModel):
    id: UUID
    step_key: str
    author_id: str
    kind: MaterialKind
    title: str
    body: str
    added_at: datetime

    @classmethod
    def of(cls, m: Material) -> MaterialOut:
        return cls(
            id=m.id,
            step_key=m.step_key,
            author_id=m.author_id,
            kind=m.kind,
            title=m.title,
            body=m.body,
            added_at=m.added_at,
        )


class ProgrammeSessionOut(BaseModel):
    id: UUID
    step_key: str
    title: str
    starts_at: datetime
    ends_at: datetime
    remote: bool
    place_label: str | None
    place_insee: str | None
    cancelled: bool

    @classmethod
    def of(cls, s: ProgrammeSession) -> ProgrammeSessionOut:
        return cls(
            id=s.id,
            step_key=s.step_key,
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            remote=s.remote,
            place_label=s.place_label,
            place_insee=s.place_insee,
            cancelled=s.cancelled_at is not None,
        )


class ProgrammeOut(BaseModel):
    id: UUID
    recipe_code: str
    title: str
    territory_siren: str
    facilitator_id: str
    status: ProgrammeStatus
    started_at: datetime
    closed_at: datetime | None
    progress: float
    participants: list[ParticipantOut]
    steps: list[StepStateOut]
    sessions: list[ProgrammeSessionOut]
    materials: list[MaterialOut]
    review_questions: list[str]
    reviews_received: int

    @classmethod
    def of(cls, p: Programme) -> ProgrammeOut:
        recipe = p.recipe
        return cls(
            id=p.id,
            recipe_code=p.recipe_code,
            title=p.title,
            territory_siren=p.territory_siren,
            facilitator_id=p.facilitator_id,
            status=p.status,
            started_at=p.started_at,
            closed_at=p.closed_at,
            progress=round(p.progress(), 3),
            participants=[
                ParticipantOut(
                    person_id=x.person_id, collectivite_siren=x.collectivite_siren, status=x.status
                )
                for x in p.participants
            ],
            steps=[
                StepStateOut(
                    key=s.key,
                    title=recipe.step(s.key).title,
                    status=s.status,
                    started_at=s.started_at,
                    finished_at=s.finished_at,
                )
                for s in p.steps
            ],
            sessions=[ProgrammeSessionOut.of(s) for s in p.sessions],
            materials=[MaterialOut.of(m) for m in p.materials],
            review_questions=list(p.review_questions()),
            reviews_received=len(p.reviews),
        )


class CriterionOut(BaseModel):
    criterion: str
    mean_score: float | None
    answers: int


class EntryOut(BaseModel):
    id: UUID
    programme_id: UUID
    author_id: str
    kind: EntryKind
    title: str
    body: str
    tags: list[str]
    offer_id: UUID | None
    url: str | None
    created_at: datetime | None
    updated_at: datetime | None
    shared: bool

    @classmethod
    def of(cls, e: CarnetEntry) -> EntryOut:
        return cls(
            id=e.id,
            programme_id=e.programme_id,
            author_id=e.author_id,
            kind=e.kind,
            title=e.title,
            body=e.body,
            tags=e.tags,
            offer_id=e.offer_id,
            url=e.url,
            created_at=e.created_at,
            updated_at=e.updated_at,
            shared=e.shared,
        )


class FigureOut(BaseModel):
    siren: str | None
    name: str
    population: int

    @classmethod
    def of(cls, f: Figure) -> FigureOut:
        return cls(siren=f.siren, name=f.name, population=f.population)


class ToolboxOut(BaseModel):
    host: FigureOut
    kind: str
    departement: str | None
    region: str | None
    epci: FigureOut | None
    share_of_epci: float | None
    neighbours: list[FigureOut]

    @classmethod
    def of(cls, t: Toolbox) -> ToolboxOut:
        return cls(
            host=FigureOut.of(t.host),
            kind=t.kind,
            departement=t.departement,
            region=t.region,
            epci=FigureOut.of(t.epci) if t.epci else None,
            share_of_epci=t.share_of_epci,
            neighbours=[FigureOut.of(n) for n in t.neighbours],
        )


class AgendaItemOut(BaseModel):
    title: str
    starts_at: datetime
    ends_at: datetime


class CodevOutputOut(BaseModel):
    programme_id: UUID
    programme_title: str
    material: MaterialOut
