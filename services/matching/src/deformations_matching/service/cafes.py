"""Mon petit café mensuel élus/techniciens: pairs of a collectivité, three monthly slots."""

from collections import Counter
from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from deformations_common.auth import Principal
from deformations_common.vocabulary.french import PARIS
from deformations_common.vocabulary.roles import Role
from deformations_common.wall_clock import WallClock
from deformations_contracts.events.matching import ProposedSlot, Recurrence
from deformations_contracts.events.sessions import SessionKind
from deformations_contracts.themes import ThemeCode
from deformations_contracts.types import Modality, PersonId, Siren
from deformations_matching import events
from deformations_matching.domain.cafe import CafePair, CafeParticipant, CafePlan, pair_cafe
from deformations_matching.domain.errors import (
    Duplicate,
    NoPair,
    NotAllowed,
    PastSession,
    PlaceRequired,
    UnknownCycle,
)
from deformations_matching.service import sessions
from deformations_matching.service.invitable import refuse_strangers
from deformations_matching.service.uow import MatchingUow


class CafeParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    role: Literal["elu", "technicien"]
    subjects: list[ThemeCode] = Field(min_length=1, max_length=14)


class CafeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collectivite_siren: Siren
    first_day: date
    start: WallClock = time(8, 0)
    end: WallClock = time(9, 0)
    months: int = Field(default=3, ge=1, le=12)
    remote: bool = False
    place_label: Annotated[str, StringConstraints(min_length=3, max_length=200)] | None = None
    participants: list[CafeParticipantIn] = Field(min_length=2, max_length=400)

    @model_validator(mode="after")
    def _coherent(self) -> "CafeIn":
        if self.end <= self.start:
            raise ValueError("l'heure de fin du café doit suivre son heure de début")
        return self

    def duplicates(self) -> list[str]:
        counts = Counter(p.person_id for p in self.participants)
        return sorted(person for person, n in counts.items() if n > 1)

    def people(self, role: str) -> list[CafeParticipant]:
        return [
            CafeParticipant(p.person_id, self.collectivite_siren, frozenset(p.subjects))
            for p in self.participants
            if p.role == role
        ]


class CafePairOut(BaseModel):
    proposal_id: UUID
    elu: str
    technicien: str
    shared_subjects: list[str]
    sessions: list[datetime]
    reasons: list[str]


class CafeOut(BaseModel):
    cycle_id: UUID
    collectivite_siren: str
    pairs: list[CafePairOut]
    unpaired: dict[str, str]


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=PARIS)


def _cafe_out(cycle_id: UUID, siren: str, plan: CafePlan) -> CafeOut:
    return CafeOut(
        cycle_id=cycle_id,
        collectivite_siren=siren,
        pairs=[
            CafePairOut(
                proposal_id=uuid4(),
                elu=p.elu_id,
                technicien=p.technician_id,
                shared_subjects=list(p.shared_subjects),
                sessions=[_at(s.day, s.start) for s in p.sessions],
                reasons=[r.text for r in p.reasons],
            )
            for p in plan.pairs
        ],
        unpaired=dict(plan.unpaired),
    )


async def plan_cafe(uow: MatchingUow, principal: Principal, body: CafeIn) -> CafeOut:
    """Pair élus and technicians sharing a subject for a monthly café (default 8h–9h, three
    months); a pair of the previous cycle is not formed again. Only for a collectivité of
    the platform's territory (unless it welcomes others)."""
    principal.require(Role.HR, Role.ELECTED, Role.OPERATOR)
    if not principal.has_role(Role.OPERATOR) and principal.authority != body.collectivite_siren:
        raise NotAllowed("Vous ne pouvez organiser le café que pour votre collectivité.")
    uow.scope.require_proposable(uow.geography, body.collectivite_siren)
    if not body.remote and body.place_label is None:
        raise PlaceRequired("Un café sur place a besoin d'un lieu.")
    doubled = body.duplicates()
    if doubled:
        raise Duplicate(
            "Chaque participant n'est listé qu'une fois : " + ", ".join(doubled),
            participants=doubled,
        )
    await refuse_strangers(uow, body.collectivite_siren, [p.person_id for p in body.participants])
    now = uow.now()
    if _at(body.first_day, body.start) <= now:
        raise PastSession("Le premier café doit être dans le futur.")
    memory = await uow.plans.last_cafe_pairs(body.collectivite_siren)
    plan = pair_cafe(
        body.people("elu"),
        body.people("technicien"),
        first_day=body.first_day,
        previous_cycle=memory,
        start=body.start,
        end=body.end,
        months=body.months,
    )
    if not plan.pairs:
        # Nothing is stored: the rotation memory of the last real cycle stays.
        raise NoPair("Aucun binôme possible pour ce cycle.", unpaired=dict(plan.unpaired))
    out = _cafe_out(uuid4(), body.collectivite_siren, plan)
    await uow.plans.insert_cafe_cycle(
        cycle_id=out.cycle_id,
        siren=body.collectivite_siren,
        first_day=body.first_day,
        plan=out.model_dump(mode="json"),
        pairs=[(p.elu_id, p.technician_id) for p in plan.pairs],
        created_at=now,
    )
    for pair, pair_out in zip(plan.pairs, out.pairs, strict=True):
        await _propose_pair(uow, body, pair, pair_out.proposal_id, now, principal.sub)
    return out


async def _propose_pair(
    uow: MatchingUow,
    body: CafeIn,
    pair: CafePair,
    proposal_id: UUID,
    now: datetime,
    organiser: str,
) -> None:
    """The pair's proposal, then one session per monthly café."""
    first = pair.sessions[0]
    slot = ProposedSlot(
        starts_at=_at(first.day, first.start),
        ends_at=_at(first.day, first.end),
        modality=Modality.REMOTE if body.remote else Modality.ON_SITE,
        recurrence=Recurrence.MONTHLY,
        occurrences=len(pair.sessions),
    )
    event = events.cafe_pair(
        proposal_id=proposal_id,
        elu_id=pair.elu_id,
        technician_id=pair.technician_id,
        collectivite_siren=body.collectivite_siren,
        theme=pair.shared_subjects[0] if pair.shared_subjects else None,
        slot=slot,
        reasons=pair.reasons,
        now=now,
    )
    await uow.proposals.insert_proposal(event)
    await uow.emit(event)
    members = [pair.elu_id, pair.technician_id]
    for number, session in enumerate(pair.sessions, start=1):
        await sessions.publish(
            uow,
            events.session(
                session_id=uuid4(),
                kind=SessionKind.CAFE_ELUS_TECHNICIENS,
                related_id=proposal_id,
                title=f"Petit café élu–technicien ({number}/{len(pair.sessions)})",
                starts_at=_at(session.day, session.start),
                ends_at=_at(session.day, session.end),
                participants=members,
                sirens=[body.collectivite_siren],
                theme=event.theme,
                remote=body.remote,
                place_label=body.place_label,
                now=now,
            ),
            organiser=organiser,
        )


class CafeCycleOut(BaseModel):
    cycle_id: UUID
    first_day: date
    last_day: date
    pairs: int
    unpaired: int
    status: Literal["coming", "running", "past"]


def _cycle_out(row: dict[str, Any], today: date) -> CafeCycleOut:
    plan = CafeOut.model_validate(row["plan"])
    days = [s.astimezone(PARIS).date() for p in plan.pairs for s in p.sessions]
    first, last = min(days, default=row["first_day"]), max(days, default=row["first_day"])
    status: Literal["coming", "running", "past"] = (
        "coming" if first > today else "past" if last < today else "running"
    )
    return CafeCycleOut(
        cycle_id=plan.cycle_id,
        first_day=first,
        last_day=last,
        pairs=len(plan.pairs),
        unpaired=len(plan.unpaired),
        status=status,
    )


async def list_cafes(uow: MatchingUow, principal: Principal, limit: int) -> list[CafeCycleOut]:
    """The café cycles of the collectivité one acts for, past and coming, latest first."""
    if principal.authority is None:
        raise NotAllowed("Choisissez la collectivité pour laquelle vous agissez.")
    today = uow.now().astimezone(PARIS).date()
    rows = await uow.plans.cafe_cycles_of(principal.authority, limit)
    return [_cycle_out(row, today) for row in rows]


async def get_cafe(uow: MatchingUow, principal: Principal, cycle_id: UUID) -> CafeOut:
    found = await uow.plans.get_cafe_cycle(cycle_id)
    if found is None:
        raise UnknownCycle("Ce cycle de cafés n'existe pas.")
    if not principal.has_role(Role.OPERATOR) and principal.authority != found["collectivite_siren"]:
        raise NotAllowed("Ce cycle concerne une autre collectivité.")
    return CafeOut.model_validate(found["plan"])


class TopicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    discussed_on: date
    topic: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class TopicOut(BaseModel):
    topic_id: UUID
    discussed_on: date
    topic: str
    author: str
    created_at: datetime


def _may_log(principal: Principal, siren: str, plan: CafeOut) -> bool:
    """A member of a pair of the cycle, or who may organise the collectivité's cafés."""
    paired = {p for pair in plan.pairs for p in (pair.elu, pair.technicien)}
    if principal.sub in paired or principal.has_role(Role.OPERATOR):
        return True
    return principal.authority == siren and principal.has_role(Role.HR, Role.ELECTED)


async def cafe_cycle(
    uow: MatchingUow, principal: Principal, cycle_id: UUID
) -> tuple[dict[str, Any], CafeOut]:
    """The cycle's row and plan, for its pairs, its collectivité's members and operators."""
    found = await uow.plans.get_cafe_cycle(cycle_id)
    if found is None:
        raise UnknownCycle("Ce cycle de cafés n'existe pas.")
    siren = str(found["collectivite_siren"])
    plan = CafeOut.model_validate(found["plan"])
    paired = {p for pair in plan.pairs for p in (pair.elu, pair.technicien)}
    if (
        not principal.has_role(Role.OPERATOR)
        and principal.authority != siren
        and principal.sub not in paired
    ):
        raise NotAllowed("Ce cycle concerne une autre collectivité.")
    return found, plan


async def _cycle(uow: MatchingUow, principal: Principal, cycle_id: UUID) -> tuple[str, CafeOut]:
    found, plan = await cafe_cycle(uow, principal, cycle_id)
    return str(found["collectivite_siren"]), plan


async def cafe_topics(uow: MatchingUow, principal: Principal, cycle_id: UUID) -> list[TopicOut]:
    """The log of the topics the cycle's cafés discussed, in their order."""
    await _cycle(uow, principal, cycle_id)
    return [
        TopicOut.model_validate(t | {"author": t["person_id"]})
        for t in await uow.plans.cafe_topics(cycle_id)
    ]


async def log_topic(
    uow: MatchingUow, principal: Principal, cycle_id: UUID, body: TopicIn
) -> TopicOut:
    """Note a topic discussed at a café of the cycle (its pairs and organisers only)."""
    siren, plan = await _cycle(uow, principal, cycle_id)
    if not _may_log(principal, siren, plan):
        raise NotAllowed("Seuls les binômes du cycle et ses organisateurs tiennent ce journal.")
    topic = {
        "topic_id": uuid4(),
        "cycle_id": cycle_id,
        "person_id": principal.sub,
        "discussed_on": body.discussed_on,
        "topic": body.topic,
        "created_at": uow.now(),
    }
    await uow.plans.add_cafe_topic(topic)
    return TopicOut.model_validate(topic | {"author": principal.sub})
