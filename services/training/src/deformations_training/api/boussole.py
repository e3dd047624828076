"""The boussole de la participation: survey, ambition × effort grid, roadmaps, follow-up."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from deformations_common.auth import CurrentPrincipal
from deformations_training.api.common import RuntimeDep, actor
from deformations_training.api.schemas import In, Siren
from deformations_training.domain.boussole import (
    Boussole,
    Dispositif,
    GridPoint,
    RoadmapItem,
    Surveyed,
    TrialStatus,
)
from deformations_training.service import boussole
from deformations_training.service.uow import TrainingUow

router = APIRouter(prefix="/v1/programmes/{programme_id}/boussole", tags=["boussole"])


class CollectiviteIn(In):
    siren: Siren


class DispositifIn(In):
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    ambition: int = Field(ge=1, le=5, description="Power given to the inhabitants, 1 to 5")
    effort: int = Field(ge=1, le=5, description="What it costs the collectivité, 1 to 5")
    effects: str = Field(default="", max_length=2000)
    controversies: str = Field(default="", max_length=2000)


class RoadmapIn(In):
    dispositif: str = Field(max_length=200)
    advice: str = Field(default="", max_length=2000)


class FollowUpIn(In):
    status: TrialStatus
    effects: str = Field(default="", max_length=2000)


class DispositifOut(BaseModel):
    id: UUID
    name: str
    description: str
    ambition: int
    effort: int
    effects: str
    controversies: str

    @classmethod
    def of(cls, d: Dispositif) -> DispositifOut:
        return cls(
            id=d.id,
            name=d.name,
            description=d.description,
            ambition=d.ambition,
            effort=d.effort,
            effects=d.effects,
            controversies=d.controversies,
        )


class RoadmapItemOut(BaseModel):
    id: UUID
    dispositif: str
    advice: str
    status: TrialStatus
    effects: str
    updated_at: datetime | None

    @classmethod
    def of(cls, i: RoadmapItem) -> RoadmapItemOut:
        return cls(
            id=i.id,
            dispositif=i.dispositif,
            advice=i.advice,
            status=i.status,
            effects=i.effects,
            updated_at=i.updated_at,
        )


class SurveyedOut(BaseModel):
    siren: str
    name: str
    population: int
    size: str
    dispositifs: list[DispositifOut]
    roadmap: list[RoadmapItemOut]

    @classmethod
    def of(cls, s: Surveyed) -> SurveyedOut:
        return cls(
            siren=s.siren,
            name=s.name,
            population=s.population,
            size=s.size,
            dispositifs=[DispositifOut.of(d) for d in s.dispositifs],
            roadmap=[RoadmapItemOut.of(i) for i in s.roadmap],
        )


class BoussoleOut(BaseModel):
    surveyed: list[SurveyedOut]
    sizes_covered: list[str]

    @classmethod
    def of(cls, b: Boussole) -> BoussoleOut:
        return cls(
            surveyed=[SurveyedOut.of(s) for s in b.surveyed], sizes_covered=b.sizes_covered()
        )


class GridPointOut(BaseModel):
    dispositif_id: UUID
    dispositif: str
    siren: str
    collectivite: str
    size: str
    effort: int
    ambition: int

    @classmethod
    def of(cls, p: GridPoint) -> GridPointOut:
        return cls(
            dispositif_id=p.dispositif_id,
            dispositif=p.dispositif,
            siren=p.siren,
            collectivite=p.collectivite,
            size=p.size,
            effort=p.effort,
            ambition=p.ambition,
        )


@router.get("")
async def view(programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> BoussoleOut:
    async with runtime.begin(TrainingUow) as uow:
        return BoussoleOut.of(await boussole.view(uow, actor(principal), programme_id))


@router.post("/collectivites", status_code=status.HTTP_201_CREATED)
async def add_collectivite(
    programme_id: UUID, body: CollectiviteIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SurveyedOut:
    """Ajouter une collectivité à l'enquête (nom, population et taille d'après le COG)."""
    async with runtime.begin(TrainingUow) as uow:
        found = await boussole.add_collectivite(uow, actor(principal), programme_id, body.siren)
        return SurveyedOut.of(found)


@router.post("/collectivites/{siren}/dispositifs", status_code=status.HTTP_201_CREATED)
async def add_dispositif(
    programme_id: UUID,
    siren: str,
    body: DispositifIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> DispositifOut:
    async with runtime.begin(TrainingUow) as uow:
        found = await boussole.add_dispositif(
            uow,
            actor(principal),
            programme_id,
            siren,
            name=body.name,
            description=body.description,
            ambition=body.ambition,
            effort=body.effort,
            effects=body.effects,
            controversies=body.controversies,
        )
        return DispositifOut.of(found)


@router.get("/grid")
async def grid(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[GridPointOut]:
    """La grille ambition × effort : les points d'une image (x = effort, y = ambition)."""
    async with runtime.begin(TrainingUow) as uow:
        return [
            GridPointOut.of(p) for p in await boussole.grid(uow, actor(principal), programme_id)
        ]


@router.post("/collectivites/{siren}/roadmap", status_code=status.HTTP_201_CREATED)
async def add_to_roadmap(
    programme_id: UUID,
    siren: str,
    body: RoadmapIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> RoadmapItemOut:
    async with runtime.begin(TrainingUow) as uow:
        item = await boussole.add_to_roadmap(
            uow,
            actor(principal),
            programme_id,
            siren,
            dispositif=body.dispositif,
            advice=body.advice,
        )
        return RoadmapItemOut.of(item)


@router.post("/collectivites/{siren}/roadmap/{item_id}")
async def follow_up(
    programme_id: UUID,
    siren: str,
    item_id: UUID,
    body: FollowUpIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> RoadmapItemOut:
    """Suivi : le dispositif a-t-il été testé, avec quels effets ?"""
    async with runtime.begin(TrainingUow) as uow:
        item = await boussole.follow_up(
            uow,
            actor(principal),
            programme_id,
            siren,
            item_id,
            status=body.status,
            effects=body.effects,
        )
        return RoadmapItemOut.of(item)
