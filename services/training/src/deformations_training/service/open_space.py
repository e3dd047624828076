"""The non-conférence's open space: use cases over the programme's lock.

Every change first locks the programme row (``FOR UPDATE``), so that two votes or two
placements at the same moment serialise on the one document.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from deformations_common.vocabulary.collectivites import known_name
from deformations_training.domain.errors import InvalidTrainingInput, NotFound
from deformations_training.domain.open_space import (
    NON_CONFERENCE,
    Contribution,
    Demonstrator,
    OpenSpace,
    Proposal,
    Slot,
)
from deformations_training.domain.policy import Actor
from deformations_training.domain.programmes import Programme
from deformations_training.service.uow import TrainingUow


async def _open(
    uow: TrainingUow, actor: Actor, programme_id: UUID, *, facilitator: bool = False
) -> tuple[Programme, OpenSpace]:
    programme = await uow.programmes.get(programme_id, for_update=True)
    if programme is None or programme.recipe_code != NON_CONFERENCE:
        raise NotFound("Non-conférence introuvable.")
    if facilitator:
        programme.require_facilitator(actor)
    else:
        programme.require_member(actor)
    space = await uow.open_spaces.get(programme_id) or OpenSpace(programme_id)
    return programme, space


async def view(uow: TrainingUow, actor: Actor, programme_id: UUID) -> OpenSpace:
    programme = await uow.programmes.get(programme_id)
    if programme is None or programme.recipe_code != NON_CONFERENCE:
        raise NotFound("Non-conférence introuvable.")
    programme.require_member(actor)
    return await uow.open_spaces.get(programme_id) or OpenSpace(programme_id)


async def contribute(
    uow: TrainingUow, actor: Actor, programme_id: UUID, *, title: str, pitch: str
) -> Contribution:
    """Answer the call for contributions (before the day)."""
    _, space = await _open(uow, actor, programme_id)
    contribution = Contribution(uuid4(), actor.person_id, title, pitch, uow.now())
    space.contribute(contribution)
    await uow.open_spaces.save(space)
    return contribution


async def close_call(uow: TrainingUow, actor: Actor, programme_id: UUID) -> OpenSpace:
    _, space = await _open(uow, actor, programme_id, facilitator=True)
    space.close_call()
    await uow.open_spaces.save(space)
    return space


async def set_frame(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    *,
    rooms: Sequence[str],
    slots: Sequence[tuple[datetime, datetime]],
) -> OpenSpace:
    _, space = await _open(uow, actor, programme_id, facilitator=True)
    space.set_frame(list(rooms), [Slot(uuid4(), start, end) for start, end in slots])
    await uow.open_spaces.save(space)
    return space


async def propose(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    *,
    title: str,
    contribution_id: UUID | None = None,
) -> Proposal:
    _, space = await _open(uow, actor, programme_id)
    proposal = Proposal(uuid4(), actor.person_id, title, contribution_id)
    space.propose(proposal)
    await uow.open_spaces.save(space)
    return proposal


async def vote(
    uow: TrainingUow, actor: Actor, programme_id: UUID, proposal_id: UUID, *, wanted: bool
) -> Proposal:
    _, space = await _open(uow, actor, programme_id)
    space.vote(proposal_id, actor.person_id, wanted=wanted)
    await uow.open_spaces.save(space)
    return space.proposal(proposal_id)


async def build_agenda(uow: TrainingUow, actor: Actor, programme_id: UUID) -> OpenSpace:
    _, space = await _open(uow, actor, programme_id, facilitator=True)
    space.build_agenda()
    await uow.open_spaces.save(space)
    return space


async def place(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    proposal_id: UUID,
    *,
    slot_id: UUID | None,
    room: str | None,
) -> OpenSpace:
    _, space = await _open(uow, actor, programme_id, facilitator=True)
    space.place(proposal_id, slot_id, room)
    await uow.open_spaces.save(space)
    return space


async def join(uow: TrainingUow, actor: Actor, programme_id: UUID, proposal_id: UUID) -> Proposal:
    _, space = await _open(uow, actor, programme_id)
    space.join(proposal_id, actor.person_id)
    await uow.open_spaces.save(space)
    return space.proposal(proposal_id)


async def add_note(
    uow: TrainingUow, actor: Actor, programme_id: UUID, proposal_id: UUID, text: str
) -> Proposal:
    _, space = await _open(uow, actor, programme_id)
    space.add_note(proposal_id, text)
    await uow.open_spaces.save(space)
    return space.proposal(proposal_id)


async def add_demonstrator(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    proposal_id: UUID,
    *,
    title: str,
    carriers: Sequence[str],
    collectivite_sirens: Sequence[str],
) -> Demonstrator:
    _, space = await _open(uow, actor, programme_id)
    unknown = [s for s in collectivite_sirens if known_name(s) is None]
    if unknown:
        raise InvalidTrainingInput(
            "Collectivité inconnue du code officiel géographique.", sirens=unknown
        )
    demonstrator = Demonstrator(
        uuid4(),
        proposal_id,
        title,
        list(dict.fromkeys(carriers)),
        list(dict.fromkeys(collectivite_sirens)),
    )
    space.add_demonstrator(demonstrator)
    await uow.open_spaces.save(space)
    return demonstrator
