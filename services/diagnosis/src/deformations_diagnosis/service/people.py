"""Use cases about people: erasure on request."""

from __future__ import annotations

from deformations_diagnosis.service.uow import DiagnosisUnitOfWork


async def erase_person(uow: DiagnosisUnitOfWork, person_id: str) -> int:
    """Detach a person from their responses (results stay, anonymous), from the campaigns
    they opened and from the questionnaire versions they uploaded or published; returns
    how many responses were theirs. The tombstone makes a token issued before the erasure
    useless here."""
    await uow.erased_people.record(person_id, uow.now())
    detached = await uow.responses.detach_person(person_id)
    await uow.campaigns.forget_organiser(person_id)
    await uow.questionnaire_versions.forget_person(person_id)
    return detached
