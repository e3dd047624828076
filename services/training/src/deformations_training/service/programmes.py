"""Programmes: a recipe of the booklet run step by step (use cases over a unit of work).

Sessions are announced as they are planned (``session.scheduled.v1``, kind
``programme_session``) to the facilitator and the participants who accepted; when someone
accepts later, the coming sessions are announced again with the new list
(``session.rescheduled.v1``), so calendars follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from deformations_common.vocabulary.roles import Role
from deformations_training import events
from deformations_training.domain.codev import CODEV, OUTPUT_STEP
from deformations_training.domain.errors import Forbidden, NotFound
from deformations_training.domain.policy import Actor
from deformations_training.domain.programmes import (
    Material,
    MaterialKind,
    Programme,
    ProgrammeSession,
    Review,
    start_programme,
)
from deformations_training.domain.toolbox import MACRO_MICRO, Toolbox, toolbox_of
from deformations_training.service.uow import TrainingUow

REVIEW_WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Invitee:
    person_id: str
    collectivite_siren: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedSession:
    step_key: str
    title: str
    starts_at: datetime
    ends_at: datetime
    remote: bool = False
    place_label: str | None = None
    place_insee: str | None = None


async def _load(uow: TrainingUow, programme_id: UUID, *, for_update: bool = True) -> Programme:
    found = await uow.programmes.get(programme_id, for_update=for_update)
    if found is None:
        raise NotFound("Programme introuvable.")
    return found


async def start(
    uow: TrainingUow,
    actor: Actor,
    *,
    recipe_code: str,
    territory_siren: str,
    title: str | None = None,
) -> Programme:
    programme = start_programme(
        programme_id=uuid4(),
        recipe_code=recipe_code,
        territory_siren=territory_siren,
        facilitator=actor,
        title=title,
        at=uow.now(),
    )
    await uow.programmes.add(programme)
    return programme


async def get(uow: TrainingUow, actor: Actor, programme_id: UUID) -> Programme:
    """The programme, for its facilitator and participants; invitees see it to answer."""
    programme = await _load(uow, programme_id, for_update=False)
    if programme.participant(actor.person_id) is None:
        programme.require_member(actor)
    return programme


async def of_person(uow: TrainingUow, actor: Actor) -> list[Programme]:
    return await uow.programmes.of_person(actor.person_id)


async def invite(
    uow: TrainingUow, actor: Actor, programme_id: UUID, invitees: Sequence[Invitee]
) -> Programme:
    programme = await _load(uow, programme_id)
    programme.require_facilitator(actor)
    now = uow.now()
    fresh = [i for i in invitees if programme.invite(i.person_id, i.collectivite_siren, now)]
    await uow.programmes.save(programme)
    for invitee in fresh:
        participant = programme.participant(invitee.person_id)
        assert participant is not None
        await uow.emit(events.programme_invited(programme, participant))
    return programme


async def answer_invitation(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    *,
    accept: bool,
    charter_accepted: bool = False,
) -> Programme:
    programme = await _load(uow, programme_id)
    now = uow.now()
    programme.answer_invitation(actor.person_id, accept, now, charter_accepted=charter_accepted)
    await uow.programmes.save(programme)
    if accept:
        await _announce_coming(uow, programme, now, reason="Nouveau participant")
    return programme


async def _announce_coming(
    uow: TrainingUow, programme: Programme, now: datetime, *, reason: str
) -> None:
    for session in programme.sessions:
        if session.cancelled_at is None and session.starts_at > now:
            sequence, _ = await uow.programmes.announce(session.id, programme.id)
            await uow.emit(
                events.programme_session_rescheduled(
                    programme, session, sequence, session.starts_at, reason, now
                )
            )


async def start_step(uow: TrainingUow, actor: Actor, programme_id: UUID, key: str) -> Programme:
    programme = await _load(uow, programme_id)
    programme.require_facilitator(actor)
    programme.start_step(key, uow.now())
    await uow.programmes.save(programme)
    return programme


async def finish_step(
    uow: TrainingUow, actor: Actor, programme_id: UUID, key: str, *, skipped: bool = False
) -> Programme:
    programme = await _load(uow, programme_id)
    programme.require_facilitator(actor)
    programme.finish_step(key, uow.now(), skipped=skipped)
    await uow.programmes.save(programme)
    return programme


async def add_material(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    *,
    step_key: str,
    kind: MaterialKind,
    title: str,
    body: str,
) -> Material:
    """Material a step produced (notes, a link, a file as text): any member adds it."""
    programme = await _load(uow, programme_id)
    programme.require_member(actor)
    material = Material(uuid4(), step_key, actor.person_id, kind, title, body, uow.now())
    programme.add_material(material)
    await uow.programmes.save(programme)
    return material


async def plan_session(
    uow: TrainingUow, actor: Actor, programme_id: UUID, planned: PlannedSession
) -> ProgrammeSession:
    programme = await _load(uow, programme_id)
    programme.require_facilitator(actor)
    now = uow.now()
    session = ProgrammeSession(
        id=uuid4(),
        step_key=planned.step_key,
        title=planned.title.strip(),
        starts_at=planned.starts_at,
        ends_at=planned.ends_at,
        remote=planned.remote,
        place_label=planned.place_label,
        place_insee=planned.place_insee,
    )
    programme.plan_session(session, now)
    await uow.programmes.save(programme)
    await uow.programmes.announce(session.id, programme.id)
    await uow.emit(events.programme_session_scheduled(programme, session, now))
    return session


async def reschedule_session(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    session_id: UUID,
    *,
    starts_at: datetime,
    ends_at: datetime,
    reason: str | None = None,
) -> ProgrammeSession:
    programme = await _load(uow, programme_id)
    programme.require_facilitator(actor)
    now = uow.now()
    previous = programme.reschedule_session(session_id, starts_at, ends_at, now)
    await uow.programmes.save(programme)
    session = programme.session(session_id)
    sequence, _ = await uow.programmes.announce(session_id, programme.id)
    await uow.emit(
        events.programme_session_rescheduled(programme, session, sequence, previous, reason, now)
    )
    return session


async def cancel_session(
    uow: TrainingUow, actor: Actor, programme_id: UUID, session_id: UUID, *, reason: str
) -> ProgrammeSession:
    programme = await _load(uow, programme_id)
    programme.require_facilitator(actor)
    now = uow.now()
    session = programme.cancel_session(session_id, now)
    await uow.programmes.save(programme)
    sequence, _ = await uow.programmes.announce(session_id, programme.id)
    await uow.emit(events.programme_session_cancelled(programme, session, sequence, reason, now))
    return session


async def close(uow: TrainingUow, actor: Actor, programme_id: UUID) -> Programme:
    """Close the programme and ask each participant for the closing review."""
    programme = await _load(uow, programme_id)
    programme.require_facilitator(actor)
    now = uow.now()
    programme.close(now)
    await uow.programmes.save(programme)
    await uow.emit_many(
        [
            events.programme_review_due(programme, p, now + REVIEW_WINDOW)
            for p in programme.accepted()
        ]
    )
    return programme


async def answer_review(
    uow: TrainingUow,
    actor: Actor,
    programme_id: UUID,
    answers: Sequence[tuple[int, str | None]],
) -> Review:
    programme = await _load(uow, programme_id)
    review = programme.answer_review(actor.person_id, list(answers), uow.now())
    await uow.programmes.save(programme)
    return review


async def toolbox(uow: TrainingUow, actor: Actor, programme_id: UUID) -> Toolbox:
    """The host collectivité's figures for an atelier « du macro au micro »."""
    programme = await _load(uow, programme_id, for_update=False)
    programme.require_member(actor)
    if programme.recipe_code != MACRO_MICRO:
        raise NotFound("La boîte à outils territoriale accompagne l'atelier du macro au micro.")
    return toolbox_of(programme.territory_siren)


async def codev_outputs(uow: TrainingUow, actor: Actor) -> list[tuple[Programme, Material]]:
    """The shared outputs of every co-dev group, for any trainer of the platform."""
    if not (actor.operator or actor.has(Role.TRAINER)):
        raise Forbidden("Les productions du co-dev sont partagées entre formateurs.")
    found = await uow.programmes.by_recipe(CODEV)
    return [(p, m) for p in found for m in p.materials if m.step_key == OUTPUT_STEP]


async def review_summary(
    uow: TrainingUow, actor: Actor, programme_id: UUID
) -> list[tuple[str, float | None, int]]:
    programme = await _load(uow, programme_id, for_update=False)
    programme.require_facilitator(actor)
    return programme.review_summary()
