"""The boussole de la participation: use cases over the programme's lock."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from deformations_common.geography import UnknownCollectiviteError, load_geography
from deformations_training.domain.boussole import (
    BOUSSOLE,
    Boussole,
    Dispositif,
    GridPoint,
    RoadmapItem,
    Surveyed,
    TrialStatus,
)
from deformations_training.domain.errors import InvalidTrainingInput, NotFound
from deformations_training.domain.policy import Actor
from deformations_training.service.uow import TrainingUow


def _name_and_population(siren: str) -> tuple[str, int]:
    """From the COG: an EPCI's or a commune's name and population."""
    geo = load_geography()
    epci = geo.epcis.get(siren)
    if epci is not None:
        return epci.name, epci.population
    try:
        commune = geo.commune_by_siren(siren)
    except UnknownCollectiviteError:
        raise InvalidTrainingInput(
            "Collectivité inconnue du code officiel géographique.", siren=siren
        ) from None
    return commune.name, commune.population


async def _open(
    uow: TrainingUow, actor: Actor, programme_id: UUID, *, lock: bool = True
) -> Boussole:
    programme = await uow.programmes.get(programme_id, for_update=lock)
    if programme is None or programme.recipe_code != BOUSSOLE:
        raise NotFound("Boussole introuvable.")
    programme.require_member(actor)
    return await uow.boussoles.get(programme_id) or Boussole(programme_id)


async def view(uow: TrainingUow, actor: Actor, programme_id: UUID) -> Boussole:
    return await _open(uow, actor, programme_id, lock=False)


async def add_collectivite(
    uow: TrainingUow, actor: Actor, programme_id: UUID, siren: str
) -> Surveyed:
    boussole = await _open(uow, actor, programme_id)
    name, population = _name_and_population(siren)
    surveyed = boussole.add_collectivite(siren, name, population)
    await uow.boussoles.save(boussole)
    return surveyed


async def add_dispositif(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    siren: str,
    *,
    name: str,
    description: str,
    ambition: int,
    effort: int,
    effects: str = "",
    controversies: str = "",
) -> Dispositif:
    boussole = await _open(uow, actor, programme_id)
    dispositif = Dispositif(uuid4(), name, description, ambition, effort, effects, controversies)
    boussole.add_dispositif(siren, dispositif)
    await uow.boussoles.save(boussole)
    return dispositif


async def grid(uow: TrainingUow, actor: Actor, programme_id: UUID) -> list[GridPoint]:
    return (await view(uow, actor, programme_id)).grid()


async def add_to_roadmap(
    uow: TrainingUow, actor: Actor, programme_id: UUID, siren: str, *, dispositif: str, advice: str
) -> RoadmapItem:
    boussole = await _open(uow, actor, programme_id)
    item = RoadmapItem(uuid4(), dispositif, advice)
    boussole.add_to_roadmap(siren, item)
    await uow.boussoles.save(boussole)
    return item


async def follow_up(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    siren: str,
    item_id: UUID,
    *,
    status: TrialStatus,
    effects: str,
    at: datetime | None = None,
) -> RoadmapItem:
    boussole = await _open(uow, actor, programme_id)
    item = boussole.follow_up(siren, item_id, status, effects, at or uow.now())
    await uow.boussoles.save(boussole)
    return item
