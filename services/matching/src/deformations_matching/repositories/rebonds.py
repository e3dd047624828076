"""The rebonds trainers proposed (a read model of training's rebond events)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from deformations_common.db import Connection


@dataclass(frozen=True)
class TrainerRebond:
    """A rebond as both of its events tell it: whose, after which offer, what it is."""

    rebond_id: UUID
    person_id: str
    after_offer_id: UUID
    kind: str
    offer_id: UUID | None
    theme: str


@dataclass(frozen=True)
class TrainerRebondRow:
    rebond_id: UUID
    kind: str
    offer_id: UUID | None
    theme: str
    occasion: str | None
    proposed_at: datetime


class RebondRepository:
    """Each event moves a row only forward in time, so that a late or redelivered one
    (an answer before its proposal, the debrief after its one-year reminder) changes
    nothing it should not."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record_proposed(
        self, rebond: TrainerRebond, occasion: str, proposed_at: datetime
    ) -> None:
        await self._record_newer(rebond, "occasion", occasion, "proposed_at", proposed_at)

    async def record_answered(
        self, rebond: TrainerRebond, taken: bool, answered_at: datetime
    ) -> None:
        await self._record_newer(rebond, "taken", taken, "answered_at", answered_at)

    async def _record_newer(
        self,
        rebond: TrainerRebond,
        column: Literal["occasion", "taken"],
        value: object,
        moment: Literal["proposed_at", "answered_at"],
        at: datetime,
    ) -> None:
        """The rebond with ``column`` set as of ``at``, unless the row already holds a later
        one of that kind (the other kind's pair of columns is left as it is). The column
        names come from the Literal types above, never from input."""
        await self.conn.execute(
            f"""INSERT INTO trainer_rebonds (rebond_id, person_id, after_offer_id, kind,
                                            offer_id, theme, {column}, {moment})
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (rebond_id) DO UPDATE SET
                   {column} = CASE WHEN trainer_rebonds.{moment} IS NULL
                                     OR EXCLUDED.{moment} > trainer_rebonds.{moment}
                                   THEN EXCLUDED.{column} ELSE trainer_rebonds.{column} END,
                   {moment} = GREATEST(trainer_rebonds.{moment}, EXCLUDED.{moment})""",
            rebond.rebond_id,
            rebond.person_id,
            rebond.after_offer_id,
            rebond.kind,
            rebond.offer_id,
            rebond.theme,
            value,
            at,
        )

    async def standing_for(self, person_id: str, limit: int) -> list[TrainerRebondRow]:
        """Her proposed rebonds, newest first, but those she left since they were proposed
        (a one-year reminder proposes a left rebond again)."""
        rows = await self.conn.fetch(
            """SELECT rebond_id, kind, offer_id, theme, occasion, proposed_at
                 FROM trainer_rebonds
                WHERE person_id = $1 AND proposed_at IS NOT NULL
                  AND NOT (taken IS FALSE AND answered_at >= proposed_at)
                ORDER BY proposed_at DESC, rebond_id
                LIMIT $2""",
            person_id,
            limit,
        )
        return [TrainerRebondRow(**dict(r)) for r in rows]
