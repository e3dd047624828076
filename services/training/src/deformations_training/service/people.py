"""Erasure of a person (person.erasure_requested.v1)."""

from uuid import uuid4

from deformations_training.service.uow import TrainingUow


async def erase(uow: TrainingUow, person_id: str) -> None:
    """The tombstone makes a token issued before the erasure useless here."""
    await uow.erased_people.record(person_id, uow.now())
    await uow.people.erase(person_id)
    for programme in await uow.programmes.of_person(person_id, for_update=True):
        programme.forget(person_id, f"effacee-{uuid4().hex[:16]}")
        await uow.programmes.save(programme)
