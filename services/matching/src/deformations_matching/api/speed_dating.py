"""Speed dating entre voisins: a reproducible, audited plan of 1-to-1 rounds for an EPCI."""

import secrets
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from deformations_common.auth import CurrentPrincipal
from deformations_common.errors import Forbidden, NotFound, Unprocessable
from deformations_common.service import RuntimeDep
from deformations_contracts.events.sessions import SessionKind
from deformations_contracts.types import InseeCode, PersonId, Siren
from deformations_matching import events
from deformations_matching.book import book_for
from deformations_matching.domain.scoring import Reason
from deformations_matching.domain.speed_dating import (
    Participant,
    Round,
    SpeedDatingPlan,
    audit_rounds,
    plan_speed_dating,
)
from deformations_matching.repositories import plans, proposals

router = APIRouter(prefix="/v1", tags=["speed dating"])


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


class AuditOut(BaseModel):
    gathering_id: UUID
    sound: bool
    violations: list[str]
    replayed_identically: bool


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


@router.post("/speed-datings", status_code=status.HTTP_201_CREATED)
async def plan(
    body: SpeedDatingIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SpeedDatingOut:
    """Plan the rounds: no pair meets twice (nor again after an earlier gathering of the
    EPCI), two élus of one commune never meet. Publishes the rotation and one session per
    round."""
    principal.require("elected", "trainer", "operator")
    organiser = principal.has_role("trainer", "operator")
    if not organiser and principal.authority != body.epci_siren:
        raise Forbidden("Vous ne pouvez organiser le speed dating que pour votre EPCI.")
    if not body.remote and body.place_label is None:
        raise Unprocessable("Une rencontre sur place a besoin d'un lieu.", code="place_required")
    geography = book_for(runtime.settings).geography
    if body.epci_siren not in geography.epcis:
        raise Unprocessable(
            f"L'EPCI {body.epci_siren} est inconnu du référentiel.", code="unknown_epci"
        )
    members = set(geography.members(body.epci_siren))
    outside = sorted(p.person_id for p in body.participants if p.commune_insee not in members)
    if outside:
        raise Unprocessable(
            "Ces participants ne sont pas élus d'une commune de l'EPCI : " + ", ".join(outside),
            code="outside_epci",
            participants=outside,
        )
    ids = [p.person_id for p in body.participants]
    if len(ids) != len(set(ids)):
        raise Unprocessable("Chaque participant n'est listé qu'une fois.", code="duplicate")
    seed = body.seed if body.seed is not None else secrets.randbelow(2**31)
    participants = [Participant(p.person_id, p.commune_insee) for p in body.participants]
    now = datetime.now(UTC)
    gathering_id = uuid4()
    async with runtime.transaction() as conn:
        already = await plans.met_in_epci(conn, body.epci_siren)
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
            raise Unprocessable(
                "Aucun tour possible : les participants sont tous de la même commune ou se "
                "sont déjà tous rencontrés.",
                code="no_round",
            )
        out = _out(gathering_id, body.epci_siren, made)
        stored = out.model_dump(mode="json")
        stored["already_met"] = sorted(sorted(pair) for pair in already)
        stored["participants"] = [p.model_dump() for p in body.participants]
        stored["options"] = {
            "minutes_per_round": body.minutes_per_round,
            "minutes_between": body.minutes_between,
        }
        await plans.insert_speed_dating(
            conn,
            gathering_id=gathering_id,
            epci_siren=body.epci_siren,
            seed=seed,
            plan=stored,
            created_at=now,
        )
        epci = geography.epci(body.epci_siren)
        event = events.rotation(
            gathering_id=gathering_id,
            epci_siren=body.epci_siren,
            members=sorted(ids),
            rounds=[(r.number, r.pairs) for r in made.rounds],
            seed=seed,
            reasons=(
                Reason("epci", f"Élus voisins de {epci.name}"),
                Reason("rounds", f"{len(made.rounds)} tour(s) de {body.minutes_per_round} min"),
                Reason(
                    "rules",
                    "Personne ne se rencontre deux fois ; jamais deux élus d'une même commune",
                ),
                Reason("seed", f"Tirage reproductible (graine {seed})"),
            ),
            now=now,
        )
        await proposals.insert_proposal(conn, event)
        await runtime.emit(conn, event)
        for round_ in made.rounds:
            session_id = uuid4()
            present = sorted({p for pair in round_.pairs for p in pair})
            await plans.insert_session(
                conn,
                session_id=session_id,
                kind=SessionKind.SPEED_DATING_ROUND.value,
                related_id=gathering_id,
                starts_at=round_.start,
                ends_at=round_.end,
                participants=present,
            )
            await runtime.emit(
                conn,
                events.session(
                    session_id=session_id,
                    kind=SessionKind.SPEED_DATING_ROUND,
                    related_id=gathering_id,
                    title=f"Speed dating entre voisins — tour {round_.number}",
                    starts_at=round_.start,
                    ends_at=round_.end,
                    participants=present,
                    sirens=[body.epci_siren],
                    theme=None,
                    remote=body.remote,
                    place_label=body.place_label,
                    now=now,
                ),
            )
    return out


async def _stored(
    runtime: RuntimeDep, gathering_id: UUID, principal: CurrentPrincipal
) -> dict[str, object]:
    async with runtime.pool.acquire() as conn:
        found = await plans.get_speed_dating(conn, gathering_id)
    if found is None:
        raise NotFound("Ce speed dating n'existe pas.", code="unknown_gathering")
    plan = found["plan"]
    participants = {p["person_id"] for p in plan["participants"]}
    if not (
        principal.has_role("trainer", "operator")
        or principal.authority == found["epci_siren"]
        or principal.sub in participants
    ):
        raise Forbidden("Ce speed dating concerne une autre intercommunalité.")
    return found


@router.get("/speed-datings/{gathering_id}")
async def get_plan(
    gathering_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SpeedDatingOut:
    found = await _stored(runtime, gathering_id, principal)
    return SpeedDatingOut.model_validate(found["plan"])


@router.get("/speed-datings/{gathering_id}/audit")
async def audit_plan(
    gathering_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> AuditOut:
    """Check the stored plan again, and replay it from its seed: the same rounds come out."""
    found = await _stored(runtime, gathering_id, principal)
    stored = found["plan"]
    assert isinstance(stored, dict)
    participants = [Participant(p["person_id"], p["commune_insee"]) for p in stored["participants"]]
    already = {frozenset(pair) for pair in stored["already_met"]}
    kept = SpeedDatingOut.model_validate(stored)
    replay = plan_speed_dating(
        participants,
        kept.requested_rounds,
        seed=kept.seed,
        start=kept.rounds[0].starts_at,
        minutes_per_round=stored["options"]["minutes_per_round"],
        minutes_between=stored["options"]["minutes_between"],
        already_met=already,
    )
    commune = {p.person_id: p.commune_insee for p in participants}
    kept_rounds = [
        Round(r.number, r.starts_at, r.ends_at, tuple(r.pairs), tuple(r.sitting_out))
        for r in kept.rounds
    ]
    violations = audit_rounds(kept_rounds, commune, already)
    same = [(r.number, list(r.pairs)) for r in kept.rounds] == [
        (r.number, list(r.pairs)) for r in replay.rounds
    ]
    return AuditOut(
        gathering_id=gathering_id,
        sound=not violations and same,
        violations=violations,
        replayed_identically=same,
    )
