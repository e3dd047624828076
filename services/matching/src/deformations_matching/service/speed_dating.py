"""Speed dating entre voisins: a reproducible, audited plan of 1-to-1 rounds for an EPCI."""

import secrets
from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.sessions import SessionKind
from deformations_contracts.types import InseeCode, PersonId, Siren
from deformations_matching import events
from deformations_matching.domain.errors import (
    Duplicate,
    NoRound,
    NotAllowed,
    OutsideEpci,
    ParticipantsOutsideScope,
    PlaceRequired,
    UnknownEpci,
)
from deformations_matching.domain.scoring import Reason
from deformations_matching.domain.speed_dating import (
    Participant,
    SpeedDatingPlan,
    plan_speed_dating,
)
from deformations_matching.domain.territory import people_outside
from deformations_matching.service import sessions
from deformations_matching.service.invitable import refuse_strangers
from deformations_matching.service.uow import MatchingUow


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    commune_insee: InseeCode


class SpeedDatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    epci_siren: Siren
    starts_at: AwareDatetime
    rounds: int = Field(ge=1, le=100)
    minutes_per_round: int = Field(default=7, ge=2, le=60)
    minutes_between: int = Field(default=2, ge=0, le=30)
    seed: int | None = Field(default=None, ge=0, le=2**53, description="Omitted: drawn, then kept.")
    remote: bool = False
    place_label: Annotated[str, StringConstraints(min_length=3, max_length=200)] | None = None
    participants: list[ParticipantIn] = Field(min_length=2, max_length=500)


class RoundOut(BaseModel):
    number: int
    starts_at: datetime
    ends_at: datetime
    pairs: list[tuple[str, str]]
    sitting_out: list[str]


class SpeedDatingOut(BaseModel):
    gathering_id: UUID
    epci_siren: str
    seed: int
    requested_rounds: int
    rounds: list[RoundOut]
    log: list[str]
    session_id: UUID | None = Field(
        default=None, description="The evening's one session (plans made before: none)."
    )


def _out(gathering_id: UUID, epci: str, plan: SpeedDatingPlan) -> SpeedDatingOut:
    return SpeedDatingOut(
        gathering_id=gathering_id,
        epci_siren=epci,
        seed=plan.seed,
        requested_rounds=plan.requested_rounds,
        rounds=[
            RoundOut(
                number=r.number,
                starts_at=r.start,
                ends_at=r.end,
                pairs=list(r.pairs),
                sitting_out=list(r.sitting_out),
            )
            for r in plan.rounds
        ],
        log=list(plan.log),
    )


def _check(uow: MatchingUow, principal: Principal, body: SpeedDatingIn) -> None:
    principal.require(Role.ELECTED, Role.TRAINER, Role.OPERATOR)
    organiser = principal.has_role(Role.TRAINER, Role.OPERATOR)
    if not organiser and principal.authority != body.epci_siren:
        raise NotAllowed("Vous ne pouvez organiser le speed dating que pour votre EPCI.")
    if not body.remote and body.place_label is None:
        raise PlaceRequired("Une rencontre sur place a besoin d'un lieu.")
    geography = uow.geography
    if body.epci_siren not in geography.epcis:
        raise UnknownEpci(f"L'EPCI {body.epci_siren} est inconnu du référentiel.")
    uow.scope.require_proposable(geography, body.epci_siren)
    members = set(geography.members(body.epci_siren))
    outside = sorted(p.person_id for p in body.participants if p.commune_insee not in members)
    if outside:
        raise OutsideEpci(
            "Ces participants ne sont pas élus d'une commune de l'EPCI : " + ", ".join(outside),
            participants=outside,
        )
    # An EPCI may straddle the Région's border: its communes beyond it stay out.
    elsewhere = people_outside(
        uow.scope, geography, [(p.person_id, p.commune_insee) for p in body.participants]
    )
    if elsewhere:
        raise ParticipantsOutsideScope(
            "Ces participants sont élus d'une commune hors de la région "
            f"{uow.scope.region_name(geography)} : " + ", ".join(elsewhere),
            participants=elsewhere,
        )
    ids = [p.person_id for p in body.participants]
    if len(ids) != len(set(ids)):
        raise Duplicate("Chaque participant n'est listé qu'une fois.")


async def plan(uow: MatchingUow, principal: Principal, body: SpeedDatingIn) -> SpeedDatingOut:
    """Plan the rounds: no pair meets twice (nor again after an earlier gathering of the
    EPCI), two élus of one commune never meet. Publishes the rotation and one session per
    round."""
    _check(uow, principal, body)
    await refuse_strangers(uow, body.epci_siren, [p.person_id for p in body.participants])
    seed = body.seed if body.seed is not None else secrets.randbelow(2**31)
    participants = [Participant(p.person_id, p.commune_insee) for p in body.participants]
    now = uow.now()
    gathering_id = uuid4()
    already = await uow.plans.met_in_epci(body.epci_siren)
    made = plan_speed_dating(
        participants,
        body.rounds,
        seed=seed,
        start=body.starts_at,
        minutes_per_round=body.minutes_per_round,
        minutes_between=body.minutes_between,
        already_met=already,
    )
    if not made.rounds:
        raise NoRound(
            "Aucun tour possible : les participants sont tous de la même commune ou se "
            "sont déjà tous rencontrés."
        )
    out = _out(gathering_id, body.epci_siren, made)
    out.session_id = uuid4()
    stored = out.model_dump(mode="json")
    stored["already_met"] = sorted(sorted(pair) for pair in already)
    stored["participants"] = [p.model_dump() for p in body.participants]
    stored["options"] = {
        "minutes_per_round": body.minutes_per_round,
        "minutes_between": body.minutes_between,
    }
    await uow.plans.insert_speed_dating(
        gathering_id=gathering_id,
        epci_siren=body.epci_siren,
        seed=seed,
        plan=stored,
        created_at=now,
    )
    epci = uow.geography.epci(body.epci_siren)
    event = events.rotation(
        gathering_id=gathering_id,
        epci_siren=body.epci_siren,
        members=sorted(p.person_id for p in participants),
        rounds=[(r.number, r.pairs) for r in made.rounds],
        seed=seed,
        reasons=(
            Reason("epci", f"Élus voisins de {epci.name}"),
            Reason("rounds", f"{len(made.rounds)} tour(s) de {body.minutes_per_round} min"),
            Reason(
                "rules", "Personne ne se rencontre deux fois ; jamais deux élus d'une même commune"
            ),
            Reason("seed", f"Tirage reproductible (graine {seed})"),
        ),
        now=now,
    )
    await uow.proposals.insert_proposal(event)
    await uow.emit(event)
    await _schedule_evening(uow, body, gathering_id, made, out, now, principal.sub)
    return out


async def _schedule_evening(
    uow: MatchingUow,
    body: SpeedDatingIn,
    gathering_id: UUID,
    made: SpeedDatingPlan,
    out: SpeedDatingOut,
    now: datetime,
    organiser: str,
) -> None:
    """One invitation per participant for the whole evening, not one per round: the rotation
    is data of the gathering (``GET /v1/speed-datings/{id}/rotation``)."""
    session = events.session(
        session_id=out.session_id or uuid4(),
        kind=SessionKind.SPEED_DATING_ROUND,
        related_id=gathering_id,
        title=f"Speed dating entre voisins — soirée de {len(made.rounds)} tour(s)",
        starts_at=made.rounds[0].start,
        ends_at=made.rounds[-1].end,
        participants=sorted(p.person_id for p in body.participants),
        sirens=[body.epci_siren],
        theme=None,
        remote=body.remote,
        place_label=body.place_label,
        now=now,
    )
    await sessions.publish(uow, session, organiser=organiser)
