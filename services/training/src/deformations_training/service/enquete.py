"""Les élus enquêteurs: use cases over the programme's lock.

The shared learnings are readable by the programme's members and by the platform members
the enquiry met (its network); everything else is for the members only.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

from deformations_common.vocabulary.collectivites import known_name
from deformations_training.domain.enquete import ENQUETE, Enquete, FieldEntry, Learning
from deformations_training.domain.errors import Forbidden, InvalidTrainingInput, NotFound
from deformations_training.domain.policy import Actor
from deformations_training.domain.programmes import Programme
from deformations_training.service.uow import TrainingUow


async def _open(
    uow: TrainingUow, actor: Actor, programme_id: UUID, *, lock: bool = True
) -> tuple[Programme, Enquete]:
    programme = await uow.programmes.get(programme_id, for_update=lock)
    if programme is None or programme.recipe_code != ENQUETE:
        raise NotFound("Enquête introuvable.")
    enquete = await uow.enquetes.get(programme_id) or Enquete(programme_id)
    return programme, enquete


async def view(uow: TrainingUow, actor: Actor, programme_id: UUID) -> Enquete:
    programme, enquete = await _open(uow, actor, programme_id, lock=False)
    programme.require_member(actor)
    return enquete


async def shared_learnings(uow: TrainingUow, actor: Actor, programme_id: UUID) -> list[Learning]:
    """For the members and for the network the enquiry built."""
    programme, enquete = await _open(uow, actor, programme_id, lock=False)
    if not (
        actor.operator
        or programme.is_member(actor.person_id)
        or actor.person_id in enquete.network()
    ):
        raise Forbidden("Les apprentissages sont partagés avec le réseau de l'enquête.")
    return enquete.shared_learnings()


async def set_question(
    uow: TrainingUow, actor: Actor, programme_id: UUID, *, question: str, guide: Sequence[str]
) -> Enquete:
    programme, enquete = await _open(uow, actor, programme_id)
    programme.require_member(actor)
    enquete.set_question(question, list(guide))
    await uow.enquetes.save(enquete)
    return enquete


async def add_field(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    *,
    collectivite_siren: str,
    whom: str,
    place: str,
    person_id: str | None = None,
) -> FieldEntry:
    programme, enquete = await _open(uow, actor, programme_id)
    programme.require_member(actor)
    name = known_name(collectivite_siren)
    if name is None:
        raise InvalidTrainingInput(
            "Collectivité inconnue du code officiel géographique.", siren=collectivite_siren
        )
    entry = FieldEntry(uuid4(), collectivite_siren, name, whom, place, person_id)
    enquete.add_field(entry)
    await uow.enquetes.save(enquete)
    return entry


async def interview(
    uow: TrainingUow, actor: Actor, programme_id: UUID, entry_id: UUID, notes: str
) -> FieldEntry:
    programme, enquete = await _open(uow, actor, programme_id)
    programme.require_member(actor)
    entry = enquete.interview(entry_id, notes, uow.now())
    await uow.enquetes.save(enquete)
    return entry


async def learn(
    uow: TrainingUow, actor: Actor, programme_id: UUID, text: str, *, share: bool = False
) -> Learning:
    programme, enquete = await _open(uow, actor, programme_id)
    programme.require_member(actor)
    learning = Learning(uuid4(), text, actor.person_id)
    enquete.learn(learning)
    if share:
        enquete.share(learning.id, uow.now())
    await uow.enquetes.save(enquete)
    return learning
