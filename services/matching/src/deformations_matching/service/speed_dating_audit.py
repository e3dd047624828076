"""A speed dating as it was planned: shown to its people, and audited by replaying its seed."""

from typing import Any
from uuid import UUID

from pydantic import BaseModel

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_matching.domain.errors import NotAllowed, UnknownGathering
from deformations_matching.domain.speed_dating import (
    Participant,
    Round,
    audit_rounds,
    plan_speed_dating,
)
from deformations_matching.service.speed_dating import SpeedDatingOut
from deformations_matching.service.uow import MatchingUow


class AuditOut(BaseModel):
    gathering_id: UUID
    sound: bool
    violations: list[str]
    replayed_identically: bool


async def stored_plan(uow: MatchingUow, principal: Principal, gathering_id: UUID) -> dict[str, Any]:
    found = await uow.plans.get_speed_dating(gathering_id)
    if found is None:
        raise UnknownGathering("Ce speed dating n'existe pas.")
    participants = {p["person_id"] for p in found["plan"]["participants"]}
    if not (
        principal.has_role(Role.TRAINER, Role.OPERATOR)
        or principal.authority == found["epci_siren"]
        or principal.sub in participants
    ):
        raise NotAllowed("Ce speed dating concerne une autre intercommunalité.")
    stored: dict[str, Any] = found["plan"]
    return stored


async def get_plan(uow: MatchingUow, principal: Principal, gathering_id: UUID) -> SpeedDatingOut:
    return SpeedDatingOut.model_validate(await stored_plan(uow, principal, gathering_id))


async def audit_plan(uow: MatchingUow, principal: Principal, gathering_id: UUID) -> AuditOut:
    """Check the stored plan again, and replay it from its seed: the same rounds come out."""
    stored = await stored_plan(uow, principal, gathering_id)
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
