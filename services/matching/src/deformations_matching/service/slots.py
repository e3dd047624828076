"""Common slots of a set of people ("horaires décalés")."""

from collections.abc import Mapping
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_contracts.types import Modality, PersonId, TimeSlot
from deformations_matching.domain.errors import NotAllowed, UnknownGroup
from deformations_matching.domain.model import Availability
from deformations_matching.domain.slots import blocking_members, common_slots, slot_label
from deformations_matching.repositories.diagnoses import DiagnosisRow
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
    blocking_members: list[str] = Field(
        default_factory=list,
        description="When no slot is common: who stands in the way of the closest slots.",
    )
    explanation: str


async def known_to(uow: MatchingUow, principal: Principal) -> set[str] | None:
    """Whose availability the person may see: their own, their peer groups' members and the
    participants of sessions they organise or attend (None: everyone, for an operator).
    Until the portal's memberships reach matching, this is what matching knows."""
    if principal.has_role(Role.OPERATOR):
        return None
    return (
        {principal.sub}
        | await uow.peers.co_members(principal.sub)
        | await uow.plans.people_with(principal.sub)
    )


async def find_common_slots(uow: MatchingUow, principal: Principal, body: SlotsIn) -> SlotsOut:
    """The slots every member can attend, or who blocks each slot when there is none.

    A stranger's availability is never read: only that of people the caller shares a group
    or a session with; for others, give their slots in the request."""
    ids = list(dict.fromkeys(m.person_id for m in body.members))
    if principal.sub not in ids and not principal.has_role(Role.TRAINER, Role.OPERATOR, Role.HR):
        raise NotAllowed("Vous ne pouvez chercher des créneaux que pour un groupe dont vous êtes.")
    visible = await known_to(uow, principal)
    readable = [i for i in ids if visible is None or i in visible]
    known = await uow.diagnoses.latest_diagnoses(readable) if readable else {}
    return report_of(body.members, known)


def report_of(members_in: list[MemberIn], known: Mapping[str, DiagnosisRow]) -> SlotsOut:
    members: dict[str, Availability] = {}
    unknown = []
    for member in members_in:
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
        blocking_members=list(blocking_members(report)),
        explanation=report.explanation,
    )


async def group_common_slots(uow: MatchingUow, principal: Principal, group_id: UUID) -> SlotsOut:
    """Common slots of a peer group's members (those still in), from their latest diagnosis
    or call; only its members (or an operator) see them."""
    group = await uow.peers.get_group(group_id)
    if group is None:
        raise UnknownGroup("Ce groupe n'existe pas.")
    still_in = [p for p, a in group.answers.items() if a in ("pending", "accepted")]
    if principal.sub not in still_in and not principal.has_role(Role.OPERATOR):
        raise NotAllowed("Seuls les membres du groupe voient leurs disponibilités.")
    known = await uow.diagnoses.latest_diagnoses(still_in)
    return report_of([MemberIn(person_id=p) for p in sorted(still_in)], known)
