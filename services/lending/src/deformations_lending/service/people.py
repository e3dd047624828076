"""People around loans: what the platform forgets when a person asks to be erased."""

from deformations_lending.service.uow import LendingUnitOfWork


async def erase_person(uow: LendingUnitOfWork, person_id: str) -> int:
    """Forget the person's id around loans; the loans, sessions and ledger stay.
    Returns how many loans named them. The tombstone makes a token issued before the
    erasure useless here."""
    await uow.erased_people.record(person_id, uow.now())
    return await uow.loans.erase_person(person_id)
