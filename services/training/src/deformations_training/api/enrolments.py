"""Enrolments, groups of an offre groupée, attendance."""

from uuid import UUID

from fastapi import APIRouter, status

from deformations_common.auth import CurrentPrincipal
from deformations_training.api.common import RuntimeDep, actor
from deformations_training.api.schemas import (
    AttendanceIn,
    EnrolIn,
    EnrolmentOut,
    GroupIn,
    GroupOut,
)
from deformations_training.domain.enrolments import EnrolmentStatus
from deformations_training.service import enrolments
from deformations_training.service.enrolments import Member
from deformations_training.service.uow import TrainingUow

router = APIRouter(prefix="/v1", tags=["inscriptions"])


@router.post("/offers/{offer_id}/enrolments", status_code=status.HTTP_201_CREATED)
async def enrol(
    offer_id: UUID, body: EnrolIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> EnrolmentOut:
    """S'inscrire (ou inscrire un élu de sa collectivité) : une place, ou la liste d'attente."""
    async with runtime.begin(TrainingUow) as uow:
        enrolment = await enrolments.enrol(
            uow,
            actor(principal),
            offer_id,
            person_id=body.person_id or principal.sub,
            collectivite_siren=body.collectivite_siren or principal.authority,
        )
        fresh = await uow.enrolments.get(enrolment.id) or enrolment
        out = EnrolmentOut.of(fresh)
        if fresh.status is EnrolmentStatus.WAITLISTED:
            # The page tells the élu where they stand, as the waitlisted event does.
            out.waitlist_position = await uow.enrolments.position(fresh)
        return out


@router.post("/offers/{offer_id}/groups", status_code=status.HTTP_201_CREATED)
async def enrol_group(
    offer_id: UUID, body: GroupIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> GroupOut:
    """Inscrire ensemble un groupe d'élus d'un même territoire (offre groupée)."""
    async with runtime.begin(TrainingUow) as uow:
        group, members = await enrolments.enrol_group(
            uow,
            actor(principal),
            offer_id,
            territory_siren=body.territory_siren,
            members=[Member(m.person_id, m.collectivite_siren) for m in body.members],
        )
        return GroupOut.of(group, members)


@router.get("/offers/{offer_id}/enrolments")
async def list_enrolments(
    offer_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[EnrolmentOut]:
    async with runtime.begin(TrainingUow) as uow:
        found = await enrolments.of_offer(uow, actor(principal), offer_id)
        return [EnrolmentOut.of(e) for e in found]


@router.post("/enrolments/{enrolment_id}/cancel")
async def cancel(
    enrolment_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> EnrolmentOut:
    """Annuler une inscription : la première personne en attente prend la place."""
    async with runtime.begin(TrainingUow) as uow:
        return EnrolmentOut.of(await enrolments.cancel(uow, actor(principal), enrolment_id))


@router.post("/enrolments/{enrolment_id}/attendance")
async def attendance(
    enrolment_id: UUID, body: AttendanceIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> EnrolmentOut:
    """Noter la présence à une séance (formateur)."""
    async with runtime.begin(TrainingUow) as uow:
        updated = await enrolments.record_attendance(
            uow, actor(principal), enrolment_id, body.session_id, body.present
        )
        return EnrolmentOut.of(updated)
