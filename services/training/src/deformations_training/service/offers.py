"""Use cases of training bodies and offers: register, publish, move, cancel, search."""

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID, uuid4

from deformations_training import events
from deformations_training.domain import offers as rules
from deformations_training.domain.bodies import TrainingBody, register_body
from deformations_training.domain.enrolments import EnrolmentStatus
from deformations_training.domain.enrolments import cancel as cancel_enrolment_rule
from deformations_training.domain.errors import InvalidTrainingInput, NotFound
from deformations_training.domain.offers import Format, Offer, PriceTier, Session
from deformations_training.domain.policy import Actor, may_manage_body, may_register_body
from deformations_training.domain.search import Criteria, Found, search
from deformations_training.service.uow import TrainingUow


async def register(
    uow: TrainingUow,
    actor: Actor,
    *,
    siren: str,
    name: str,
    agrement_reference: str | None,
    agrement_until: date | None,
) -> TrainingBody:
    may_register_body(actor)
    body = register_body(
        siren=siren,
        name=name,
        agrement_reference=agrement_reference,
        agrement_until=agrement_until,
        now=uow.now(),
    )
    await uow.bodies.add(body)
    return body


async def list_bodies(uow: TrainingUow) -> list[TrainingBody]:
    return await uow.bodies.all()


async def publish(
    uow: TrainingUow,
    actor: Actor,
    *,
    body_siren: str,
    title: str,
    description: str,
    theme: str,
    format: Format,
    duration_minutes: int,
    capacity: int,
    price_cents: int,
    sessions: Sequence[tuple[datetime, datetime]],
    place_insee: str | None,
    place_label: str | None,
    video_url: str | None,
    group_tiers: Sequence[tuple[int, int]],
    registration_closes_at: datetime | None,
) -> Offer:
    may_manage_body(actor, body_siren)
    if await uow.bodies.get(body_siren) is None:
        raise NotFound("Cet organisme n'est pas enregistré.", body_siren=body_siren)
    if place_insee is not None and uow.places.place_of(place_insee) is None:
        raise InvalidTrainingInput(f"Code INSEE inconnu : {place_insee!r}.", field="place_insee")
    offer = rules.new_offer(
        offer_id=uuid4(),
        body_siren=body_siren,
        title=title,
        description=description,
        theme=theme,
        format=format,
        duration_minutes=duration_minutes,
        capacity=capacity,
        price_cents=price_cents,
        sessions=[Session(uuid4(), start, end) for start, end in sessions],
        place_insee=place_insee,
        place_label=place_label,
        video_url=video_url,
        group_tiers=[PriceTier(size, price) for size, price in group_tiers],
        registration_closes_at=registration_closes_at,
        now=uow.now(),
    )
    await uow.offers.add(offer)
    return offer


async def get(uow: TrainingUow, offer_id: UUID, *, for_update: bool = False) -> Offer:
    offer = await uow.offers.get(offer_id, for_update=for_update)
    if offer is None:
        raise NotFound("Cette formation n'existe pas.", offer_id=str(offer_id))
    return offer


async def of_body(uow: TrainingUow, body_siren: str) -> list[Offer]:
    return await uow.offers.of_body(body_siren)


async def participants(uow: TrainingUow, offer_id: UUID) -> tuple[list[str], list[str]]:
    """The confirmed people of an offer and their collectivités."""
    confirmed = [
        e for e in await uow.enrolments.of_offer(offer_id) if e.status is EnrolmentStatus.CONFIRMED
    ]
    return (
        [e.person_id for e in confirmed],
        [e.collectivite_siren for e in confirmed if e.collectivite_siren],
    )


async def announce(uow: TrainingUow, offer: Offer, reason: str | None) -> None:
    """Tell the confirmed people of the offer's coming sessions their full state
    (session.scheduled the first time, session.rescheduled after), so calendars follow
    who is in. Nobody confirmed: nothing to announce."""
    people, sirens = await participants(uow, offer.id)
    if not people:
        return
    now = uow.now()
    for session in offer.active_sessions():
        if session.starts_at <= now:
            continue
        sequence, first = await uow.offers.announce(session.id)
        if first:
            await uow.emit(events.session_scheduled(offer, session, people, sirens, now))
        else:
            await uow.emit(
                events.session_rescheduled(
                    offer, session, people, sirens, sequence, session.starts_at, reason, now
                )
            )


async def reschedule_session(
    uow: TrainingUow,
    actor: Actor,
    offer_id: UUID,
    session_id: UUID,
    starts_at: datetime,
    ends_at: datetime,
    reason: str | None,
) -> Offer:
    offer = await get(uow, offer_id, for_update=True)
    may_manage_body(actor, offer.body_siren)
    previous = offer.session(session_id).starts_at
    moved = offer.reschedule(session_id, starts_at, ends_at, uow.now())
    await uow.offers.save_sessions(moved)
    if await uow.offers.announced(session_id):
        people, sirens = await participants(uow, offer_id)
        if people:
            sequence, _ = await uow.offers.announce(session_id)
            await uow.emit(
                events.session_rescheduled(
                    moved,
                    moved.session(session_id),
                    people,
                    sirens,
                    sequence,
                    previous,
                    reason or "Séance déplacée.",
                    uow.now(),
                )
            )
    return moved


async def announce_cancellation(
    uow: TrainingUow,
    offer: Offer,
    sessions: Sequence[Session],
    people: Sequence[str],
    sirens: Sequence[str],
    reason: str,
) -> None:
    for session in sessions:
        if people and await uow.offers.announced(session.id):
            sequence, _ = await uow.offers.announce(session.id)
            await uow.emit(
                events.session_cancelled(
                    offer, session, people, sirens, sequence, reason, uow.now()
                )
            )


async def cancel_session(
    uow: TrainingUow, actor: Actor, offer_id: UUID, session_id: UUID, reason: str
) -> Offer:
    offer = await get(uow, offer_id, for_update=True)
    may_manage_body(actor, offer.body_siren)
    changed = offer.cancel_session(session_id, uow.now())
    await uow.offers.save_sessions(changed)
    people, sirens = await participants(uow, offer_id)
    await announce_cancellation(uow, changed, [changed.session(session_id)], people, sirens, reason)
    return changed


async def cancel(uow: TrainingUow, actor: Actor, offer_id: UUID, reason: str) -> Offer:
    """The whole offer is off: its sessions are cancelled and so is every enrolment."""
    offer = await get(uow, offer_id, for_update=True)
    may_manage_body(actor, offer.body_siren)
    now = uow.now()
    people, sirens = await participants(uow, offer_id)
    cancelled = rules.cancel_offer(offer, now)
    await uow.offers.mark_cancelled(cancelled)
    for enrolment in await uow.enrolments.of_offer(offer_id):
        if not enrolment.active:
            continue
        was_waitlisted = enrolment.status is EnrolmentStatus.WAITLISTED
        ended = cancel_enrolment_rule(enrolment, cancelled, now)
        await uow.enrolments.save(ended)
        await uow.emit(events.cancelled(ended, cancelled, was_waitlisted, now))
    live = [s for s in offer.sessions if not s.cancelled]
    await announce_cancellation(uow, cancelled, live, people, sirens, reason)
    return cancelled


async def find(uow: TrainingUow, criteria: Criteria) -> list[Found]:
    return search(await uow.offers.open_offers(), criteria, uow.places.place_of, uow.now())
