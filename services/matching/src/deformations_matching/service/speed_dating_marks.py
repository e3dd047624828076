"""After a speed-dating evening: the rotation to print, and the « atomes crochus ».

Each participant marks whom they would like to see again among the people they met; a
mark is only revealed when it is mutual, to both, through ``GET …/mutual``; becoming
mutual publishes ``speed_dating.mutual_mark.v1``, which lets the contact relay (in
notifications) put the two in touch.
"""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from deformations_common.auth import Principal
from deformations_contracts.events.matching import SpeedDatingMutualMark
from deformations_contracts.types import PersonId
from deformations_matching.domain.errors import EveningNotOver, NotAllowed, NotMet
from deformations_matching.domain.speed_dating import Round, mutual_marks, partners_of
from deformations_matching.service.speed_dating import SpeedDatingOut
from deformations_matching.service.speed_dating_audit import stored_plan
from deformations_matching.service.uow import MatchingUow


class RotationRoundOut(BaseModel):
    number: int
    starts_at: datetime
    ends_at: datetime


class RotationRowOut(BaseModel):
    person_id: str
    partners: list[str | None] = Field(description="Partner at each round; null: sitting out.")


class RotationOut(BaseModel):
    gathering_id: UUID
    rounds: list[RotationRoundOut]
    table: list[RotationRowOut]


class MarksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    see_again: list[PersonId] = Field(max_length=100)


class MarksOut(BaseModel):
    gathering_id: UUID
    see_again: list[str]
    mutual: list[str] = Field(description="People who marked you too: « atomes crochus ».")


def _rounds(plan: SpeedDatingOut) -> list[Round]:
    return [
        Round(r.number, r.starts_at, r.ends_at, tuple(r.pairs), tuple(r.sitting_out))
        for r in plan.rounds
    ]


async def rotation(uow: MatchingUow, principal: Principal, gathering_id: UUID) -> RotationOut:
    """The rotation table, one row per participant, to print or project."""
    stored = await stored_plan(uow, principal, gathering_id)
    plan = SpeedDatingOut.model_validate(stored)
    people = sorted(p["person_id"] for p in stored["participants"])
    rounds = _rounds(plan)
    return RotationOut(
        gathering_id=gathering_id,
        rounds=[
            RotationRoundOut(number=r.number, starts_at=r.starts_at, ends_at=r.ends_at)
            for r in plan.rounds
        ],
        table=[RotationRowOut(person_id=p, partners=partners_of(rounds, p)) for p in people],
    )


async def _participant_plan(
    uow: MatchingUow, principal: Principal, gathering_id: UUID
) -> tuple[SpeedDatingOut, set[str]]:
    stored = await stored_plan(uow, principal, gathering_id)
    if principal.sub not in {p["person_id"] for p in stored["participants"]}:
        raise NotAllowed("Seuls les participants de la soirée peuvent marquer leurs rencontres.")
    plan = SpeedDatingOut.model_validate(stored)
    met = {p for p in partners_of(_rounds(plan), principal.sub) if p is not None}
    return plan, met


async def mark(
    uow: MatchingUow, principal: Principal, gathering_id: UUID, body: MarksIn
) -> MarksOut:
    """Whom I would like to see again, among the people I met (replaces my earlier marks)."""
    plan, met = await _participant_plan(uow, principal, gathering_id)
    now = uow.now()
    if now < plan.rounds[-1].ends_at:
        raise EveningNotOver("Les rencontres se marquent après la soirée.")
    wanted = sorted(set(body.see_again))
    strangers = [p for p in wanted if p not in met]
    if strangers:
        raise NotMet(
            "Vous ne pouvez marquer que des personnes rencontrées pendant la soirée.",
            participants=strangers,
        )
    before = await uow.plans.marks_of(gathering_id)
    was_mutual = set(mutual_marks({k: set(v) for k, v in before.items()}, principal.sub))
    await uow.plans.set_marks(gathering_id, principal.sub, wanted, now)
    marks = await uow.plans.marks_of(gathering_id)
    mutual = mutual_marks({k: set(v) for k, v in marks.items()}, principal.sub)
    # Each mark that became mutual now lets the two people write through the relay.
    for other in mutual:
        if other not in was_mutual:
            await uow.emit(
                SpeedDatingMutualMark(
                    gathering_id=gathering_id,
                    people=sorted((principal.sub, other)),
                    marked_at=now,
                )
            )
    return MarksOut(gathering_id=gathering_id, see_again=wanted, mutual=mutual)


async def my_marks(uow: MatchingUow, principal: Principal, gathering_id: UUID) -> MarksOut:
    """My marks and the mutual ones (« atomes crochus »), ready for the contact relay."""
    await _participant_plan(uow, principal, gathering_id)
    marks = await uow.plans.marks_of(gathering_id)
    return MarksOut(
        gathering_id=gathering_id,
        see_again=sorted(marks.get(principal.sub, [])),
        mutual=mutual_marks({k: set(v) for k, v in marks.items()}, principal.sub),
    )
