"""Common slots of a set of people ("horaires décalés")."""

from pydantic import BaseModel, ConfigDict, Field

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_contracts.types import Modality, PersonId, TimeSlot
from deformations_matching.domain.errors import NotAllowed
from deformations_matching.domain.model import Availability
from deformations_matching.domain.slots import common_slots, slot_label
from deformations_matching.service.uow import MatchingUow


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    time_slots: list[TimeSlot] | None = Field(
        default=None, description="Omitted: taken from the person's latest diagnosis."
    )
    modality: Modality | None = None


class SlotsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    members: list[MemberIn] = Field(min_length=2, max_length=200)


class LabelledSlot(BaseModel):
    code: str
    label: str


class SlotsOut(BaseModel):
    found: bool
    slots: list[LabelledSlot]
    modalities: list[Modality]
    blockers: dict[str, list[str]]
    modality_blockers: list[str]
    unknown: list[str] = Field(description="People with no availability known: not constraining.")
    explanation: str


async def find_common_slots(uow: MatchingUow, principal: Principal, body: SlotsIn) -> SlotsOut:
    """The slots every member can attend, or who blocks each slot when there is none."""
    ids = list(dict.fromkeys(m.person_id for m in body.members))
    if principal.sub not in ids and not principal.has_role(Role.TRAINER, Role.OPERATOR, Role.HR):
        raise NotAllowed("Vous ne pouvez chercher des créneaux que pour un groupe dont vous êtes.")
    known = await uow.diagnoses.latest_diagnoses(ids)
    members: dict[str, Availability] = {}
    unknown = []
    for member in body.members:
        diagnosis = known.get(member.person_id)
        slots = member.time_slots
        if slots is None and diagnosis is not None:
            slots = [TimeSlot(s) for s in diagnosis.time_slots]
        modality = member.modality or (Modality(diagnosis.modality) if diagnosis else None)
        if slots is None and modality is None:
            unknown.append(member.person_id)
        members[member.person_id] = Availability(
            frozenset(slots or ()), modality or Modality.EITHER
        )
    report = common_slots(members)
    return SlotsOut(
        found=report.found,
        slots=[LabelledSlot(code=s, label=slot_label(s)) for s in report.slots],
        modalities=list(report.modalities),
        blockers={k: list(v) for k, v in report.blockers.items()},
        modality_blockers=list(report.modality_blockers),
        unknown=unknown,
        explanation=report.explanation,
    )
