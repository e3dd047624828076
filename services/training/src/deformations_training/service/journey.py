"""Use cases of the « à la carte » cycle: debrief and rebond, its answer, the journey."""

from dataclasses import dataclass
from uuid import UUID, uuid4

from deformations_contracts.events.training import RebondOccasion
from deformations_training import events
from deformations_training.domain import journey as rules
from deformations_training.domain.enrolments import Enrolment
from deformations_training.domain.errors import NotFound
from deformations_training.domain.journey import Rebond, RebondKind, Step
from deformations_training.domain.policy import Actor, may_act_for_person, may_manage_body
from deformations_training.service import enrolments as enrolment_cases
from deformations_training.service import offers as offer_cases
from deformations_training.service.uow import TrainingUow


async def propose(
    uow: TrainingUow,
    actor: Actor,
    enrolment_id: UUID,
    *,
    kind: RebondKind,
    offer_id: UUID | None,
    debrief: str,
    proposal: str,
) -> Rebond:
    enrolment = await uow.enrolments.get(enrolment_id)
    if enrolment is None:
        raise NotFound("Cette inscription n'existe pas.", enrolment_id=str(enrolment_id))
    module = await offer_cases.get(uow, enrolment.offer_id)
    may_manage_body(actor, module.body_siren)
    proposed = await offer_cases.get(uow, offer_id) if offer_id else None
    rebond = rules.propose_rebond(
        rebond_id=uuid4(),
        enrolment=enrolment,
        module=module,
        kind=kind,
        proposed_offer=proposed,
        debrief=debrief,
        proposal=proposal,
        trainer_id=actor.person_id,
        now=uow.now(),
    )
    await uow.rebonds.add(rebond)
    await uow.emit(events.rebond_proposed(rebond, module, RebondOccasion.DEBRIEF, uow.now()))
    return rebond


@dataclass(frozen=True, slots=True)
class Answered:
    rebond: Rebond
    # The enrolment in the proposed module, when the élu took a module.
    enrolment: Enrolment | None


async def answer(uow: TrainingUow, actor: Actor, rebond_id: UUID, *, take: bool) -> Answered:
    rebond = await uow.rebonds.get(rebond_id, for_update=True)
    if rebond is None:
        raise NotFound("Ce rebond n'existe pas.", rebond_id=str(rebond_id))
    may_act_for_person(actor, rebond.person_id)
    answered = rules.answer(rebond, take=take, now=uow.now())
    await uow.rebonds.save(answered)
    after = await uow.enrolments.get(answered.after_enrolment_id)
    if after is None:
        raise NotFound("Le module de ce rebond n'existe plus.", rebond_id=str(rebond_id))
    enrolment = None
    if take and answered.offer_id is not None:
        enrolment = await enrolment_cases.enrol(
            uow,
            actor,
            answered.offer_id,
            person_id=answered.person_id,
            collectivite_siren=after.collectivite_siren,
        )
    module = await offer_cases.get(uow, after.offer_id)
    await uow.emit(events.rebond_answered(answered, module, enrolment))
    return Answered(answered, enrolment)


async def of_person(uow: TrainingUow, actor: Actor, person_id: str) -> list[Step]:
    may_act_for_person(actor, person_id)
    enrolments = await uow.enrolments.of_person(person_id)
    offers = await uow.offers.many([e.offer_id for e in enrolments])
    return rules.journey(enrolments, offers, await uow.rebonds.of_person(person_id))


async def rebonds_of(uow: TrainingUow, actor: Actor, person_id: str) -> list[Rebond]:
    may_act_for_person(actor, person_id)
    return await uow.rebonds.of_person(person_id)
