"""Use cases of enrolments: enrol one person or a group, cancel, promote, attendance.

Every change of an offer's enrolments first takes the offer's row lock
(``offers.get(for_update=True)``): concurrent enrolments and cancellations of one offer
run one after the other, so exactly one of two people gets the last place and a freed
place is given exactly once (the schema's counter and CHECK hold even if not).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from deformations_training import events
from deformations_training.domain import enrolments as rules
from deformations_training.domain import groups as group_rules
from deformations_training.domain.enrolments import Enrolment, EnrolmentStatus
from deformations_training.domain.errors import InvalidTrainingInput, NotFound
from deformations_training.domain.evaluations import Evaluation, EvaluationKind, impact_schedule
from deformations_training.domain.groups import Group
from deformations_training.domain.offers import Offer
from deformations_training.domain.policy import (
    Actor,
    may_cancel,
    may_enrol,
    may_manage_body,
    may_manage_collectivite,
)
from deformations_training.service import offers as offer_cases
from deformations_training.service.uow import TrainingUow


@dataclass(frozen=True, slots=True)
class Member:
    person_id: str
    collectivite_siren: str


async def _add(
    uow: TrainingUow,
    offer: Offer,
    person_id: str,
    collectivite_siren: str | None,
    group_id: UUID | None,
    enrolled_by: str,
) -> Enrolment:
    enrolment = rules.enrol(
        enrolment_id=uuid4(),
        offer=offer,
        person_id=person_id,
        collectivite_siren=collectivite_siren,
        group_id=group_id,
        confirmed=await uow.offers.confirmed(offer.id),
        price_cents=offer.price_cents,
        enrolled_by=enrolled_by,
        now=uow.now(),
    )
    await uow.enrolments.add(enrolment)
    return enrolment


async def _announce_enrolment(uow: TrainingUow, enrolment: Enrolment, offer: Offer) -> None:
    fresh = await uow.enrolments.get(enrolment.id)
    assert fresh is not None
    if fresh.status is EnrolmentStatus.CONFIRMED:
        await uow.emit(events.confirmed(fresh, offer, uow.now()))
    else:
        position = await uow.enrolments.position(fresh)
        await uow.emit(events.waitlisted(fresh, offer, position, uow.now()))


async def enrol(
    uow: TrainingUow,
    actor: Actor,
    offer_id: UUID,
    *,
    person_id: str,
    collectivite_siren: str | None,
) -> Enrolment:
    may_enrol(actor, person_id, collectivite_siren)
    offer = await offer_cases.get(uow, offer_id, for_update=True)
    enrolment = await _add(uow, offer, person_id, collectivite_siren, None, actor.person_id)
    await _announce_enrolment(uow, enrolment, offer)
    if enrolment.status is EnrolmentStatus.CONFIRMED:
        await offer_cases.announce(uow, offer, "Nouveau participant.")
    return enrolment


async def reprice_group(uow: TrainingUow, offer: Offer, group_id: UUID) -> int:
    """Each confirmed member pays the price of the group's confirmed size."""
    members = await uow.enrolments.confirmed_in_group(group_id)
    price = offer.price_for(len(members))
    await uow.enrolments.set_price([m.id for m in members], price)
    group = await uow.enrolments.get_group(group_id)
    if group is not None and group.settled_at is not None:
        await uow.enrolments.save_group(group_rules.reprice(group, offer, len(members)))
    return price


async def enrol_group(
    uow: TrainingUow,
    actor: Actor,
    offer_id: UUID,
    *,
    territory_siren: str,
    members: Sequence[Member],
) -> tuple[Group, list[Enrolment]]:
    """A group of élus of one territory registers together for an offre groupée.

    Members are placed in order: places while some are left, the waitlist after; each
    confirmed member pays the tier of the group's confirmed size."""
    if actor.authority is None:
        raise InvalidTrainingInput("Précisez la collectivité pour laquelle vous agissez.")
    may_manage_collectivite(actor, actor.authority)
    if uow.places.territory_of(actor.authority) != territory_siren:
        raise InvalidTrainingInput(
            "Vous inscrivez un groupe de votre propre territoire.", territory_siren=territory_siren
        )
    if len({m.person_id for m in members}) != len(members):
        raise InvalidTrainingInput("Chaque élu figure une seule fois dans le groupe.")
    offer = await offer_cases.get(uow, offer_id, for_update=True)
    group = group_rules.new_group(
        group_id=uuid4(),
        offer=offer,
        territory_siren=territory_siren,
        organiser_id=actor.person_id,
        members=len(members),
        now=uow.now(),
    )
    for member in members:
        group_rules.check_member_territory(
            group, uow.places.territory_of(member.collectivite_siren)
        )
    await uow.enrolments.add_group(group)
    added = [
        await _add(uow, offer, m.person_id, m.collectivite_siren, group.id, actor.person_id)
        for m in members
    ]
    await reprice_group(uow, offer, group.id)
    for enrolment in added:
        await _announce_enrolment(uow, enrolment, offer)
    await offer_cases.announce(uow, offer, "Nouveaux participants.")
    fresh = [await uow.enrolments.get(e.id) for e in added]
    return group, [e for e in fresh if e is not None]


async def fill_free_places(uow: TrainingUow, offer: Offer) -> list[Enrolment]:
    """Give free places to the first ones on the waitlist, in order (offer locked)."""
    confirmed = await uow.offers.confirmed(offer.id)
    chosen = rules.promotions(offer.capacity, confirmed, await uow.enrolments.waitlist(offer.id))
    promoted: list[Enrolment] = []
    for waiting in chosen:
        now_confirmed = rules.promote(waiting, offer.price_cents, uow.now())
        await uow.enrolments.save(now_confirmed)
        if waiting.group_id is not None:
            await reprice_group(uow, offer, waiting.group_id)
        fresh = await uow.enrolments.get(waiting.id)
        assert fresh is not None
        await uow.emit(events.promoted(fresh, offer, uow.now()))
        promoted.append(fresh)
    return promoted


async def cancel(uow: TrainingUow, actor: Actor, enrolment_id: UUID) -> Enrolment:
    found = await uow.enrolments.get(enrolment_id)
    if found is None:
        raise NotFound("Cette inscription n'existe pas.", enrolment_id=str(enrolment_id))
    offer = await offer_cases.get(uow, found.offer_id, for_update=True)
    enrolment = await uow.enrolments.get(enrolment_id)  # as it is once the offer is locked
    assert enrolment is not None
    group = await uow.enrolments.get_group(enrolment.group_id) if enrolment.group_id else None
    may_cancel(
        actor,
        enrolment.person_id,
        enrolment.collectivite_siren,
        group.organiser_id if group else None,
    )
    was_waitlisted = enrolment.status is EnrolmentStatus.WAITLISTED
    people_before, sirens_before = await offer_cases.participants(uow, offer.id)
    ended = rules.cancel(enrolment, offer, uow.now())
    await uow.enrolments.save(ended)
    await uow.emit(events.cancelled(ended, offer, was_waitlisted, uow.now()))
    if was_waitlisted:
        return ended
    if ended.group_id is not None:
        await reprice_group(uow, offer, ended.group_id)
    await fill_free_places(uow, offer)
    people, _ = await offer_cases.participants(uow, offer.id)
    if people:
        await offer_cases.announce(uow, offer, "Liste des participants mise à jour.")
    else:
        # The last participant left: their calendars drop the sessions.
        await offer_cases.announce_cancellation(
            uow,
            offer,
            offer.active_sessions(),
            people_before,
            sirens_before,
            "Plus aucun participant inscrit.",
        )
    return ended


async def of_offer(uow: TrainingUow, actor: Actor, offer_id: UUID) -> list[Enrolment]:
    offer = await offer_cases.get(uow, offer_id)
    may_manage_body(actor, offer.body_siren)
    return await uow.enrolments.of_offer(offer_id)


async def record_attendance(
    uow: TrainingUow, actor: Actor, enrolment_id: UUID, session_id: UUID, present: bool
) -> Enrolment:
    """The trainer's register. Being present opens the session's satisfaction
    questionnaire and schedules the impact ones, 6 and 12 months after the offer."""
    enrolment = await uow.enrolments.get(enrolment_id)
    if enrolment is None:
        raise NotFound("Cette inscription n'existe pas.", enrolment_id=str(enrolment_id))
    offer = await offer_cases.get(uow, enrolment.offer_id)
    may_manage_body(actor, offer.body_siren)
    now = uow.now()
    updated = rules.record_attendance(enrolment, offer, session_id, present, now)
    await uow.enrolments.record_attendance(enrolment_id, session_id, present, actor.person_id, now)
    if present:
        session = offer.session(session_id)
        ends = offer.ends_at() or session.ends_at
        due = [
            Evaluation(
                uuid4(),
                enrolment.id,
                offer.id,
                enrolment.person_id,
                EvaluationKind.SATISFACTION,
                session.ends_at,
                session_id=session_id,
            ),
            *(
                Evaluation(uuid4(), enrolment.id, offer.id, enrolment.person_id, kind, at)
                for kind, at in impact_schedule(ends)
            ),
        ]
        await uow.evaluations.schedule(due)
    return updated
