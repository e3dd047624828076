"""The carnet de bord: an élu's private entries, shared with the coach one by one.

Refusals about another person's entry say « introuvable » (404), never « interdit »: an
entry one may not read does not exist for them, so nothing leaks even its existence.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from deformations_training.domain.carnet import CARNET_RECIPE, CarnetEntry, EntryKind, write_entry
from deformations_training.domain.errors import Forbidden, InvalidTrainingInput, NotFound
from deformations_training.domain.policy import Actor
from deformations_training.service.uow import TrainingUow

_MISSING = "Entrée introuvable."


async def write(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    *,
    kind: EntryKind,
    title: str,
    body: str,
    tags: list[str],
    offer_id: UUID | None = None,
    url: str | None = None,
) -> CarnetEntry:
    programme = await uow.programmes.get(programme_id)
    if programme is None:
        raise NotFound("Programme introuvable.")
    if offer_id is not None and await uow.offers.get(offer_id) is None:
        raise InvalidTrainingInput("Cette formation n'existe pas dans le catalogue.")
    entry = write_entry(
        entry_id=uuid4(),
        programme=programme,
        author_id=actor.person_id,
        kind=kind,
        title=title,
        body=body,
        tags=tags,
        offer_id=offer_id,
        url=url,
        at=uow.now(),
    )
    await uow.carnets.add(entry)
    return entry


async def mine(uow: TrainingUow, actor: Actor, programme_id: UUID) -> list[CarnetEntry]:
    return await uow.carnets.of_author(programme_id, actor.person_id)


async def read(uow: TrainingUow, actor: Actor, entry_id: UUID) -> CarnetEntry:
    entry = await uow.carnets.visible(entry_id, actor.person_id)
    if entry is None:
        raise NotFound(_MISSING)
    return entry


async def set_shared(
    uow: TrainingUow, actor: Actor, entry_id: UUID, *, shared: bool
) -> CarnetEntry:
    """Share an entry with the coach, or take it back; only its author may."""
    entry = await uow.carnets.own(entry_id, actor.person_id)
    if entry is None:
        raise NotFound(_MISSING)
    now = uow.now()
    entry.shared_at = (entry.shared_at or now) if shared else None
    entry.updated_at = now
    await uow.carnets.save(entry)
    return entry


async def shared_with_coach(
    uow: TrainingUow, actor: Actor, programme_id: UUID
) -> list[CarnetEntry]:
    """What the élus shared with their coach; the coach alone reads it (not an operator)."""
    programme = await uow.programmes.get(programme_id)
    if programme is None or programme.recipe_code != CARNET_RECIPE:
        raise NotFound("Carnet de bord introuvable.")
    if actor.person_id != programme.facilitator_id:
        raise Forbidden("Seul le coach du carnet de bord lit les entrées partagées.")
    return await uow.carnets.shared(programme_id)
