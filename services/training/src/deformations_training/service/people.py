"""Erasure of a person (person.erasure_requested.v1)."""

from deformations_training.service.uow import TrainingUow


async def erase(uow: TrainingUow, person_id: str) -> None:
    await uow.people.erase(person_id)
