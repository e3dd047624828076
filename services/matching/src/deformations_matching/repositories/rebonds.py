"""The rebonds trainers proposed (a read model of training's rebond events)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from deformations_common.db import Connection


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
        self,
        *,
        rebond_id: UUID,
        person_id: str,
        after_offer_id: UUID,
        kind: str,
        offer_id: UUID | None,
        theme: str,
        occasion: str,
        proposed_at: datetime,
    ) -> None:
        await self.conn.execute(
            """INSERT INTO trainer_rebonds (rebond_id, person_id, after_offer_id, kind,
                                            offer_id, theme, occasion, proposed_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (rebond_id) DO UPDATE SET
                   occasion = CASE WHEN trainer_rebonds.proposed_at IS NULL
                                     OR EXCLUDED.proposed_at > trainer_rebonds.proposed_at
                                   THEN EXCLUDED.occasion ELSE trainer_rebonds.occasion END,
                   proposed_at = GREATEST(trainer_rebonds.proposed_at, EXCLUDED.proposed_at)""",
            rebond_id,
            person_id,
            after_offer_id,
            kind,
            offer_id,
            theme,
            occasion,
            proposed_at,
        )

    async def record_answered(
        self,
        *,
        rebond_id: UUID,
        person_id: str,
        after_offer_id: UUID,
        kind: str,
        offer_id: UUID | None,
        theme: str,
        taken: bool,
        answered_at: datetime,
    ) -> None:
        await self.conn.execute(
            """INSERT INTO trainer_rebonds (rebond_id, person_id, after_offer_id, kind,
                                            offer_id, theme, taken, answered_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (rebond_id) DO UPDATE SET
                   taken = CASE WHEN trainer_rebonds.answered_at IS NULL
                                  OR EXCLUDED.answered_at > trainer_rebonds.answered_at
                                THEN EXCLUDED.taken ELSE trainer_rebonds.taken END,
                   answered_at = GREATEST(trainer_rebonds.answered_at, EXCLUDED.answered_at)""",
            rebond_id,
            person_id,
            after_offer_id,
            kind,
            offer_id,
            theme,
            taken,
            answered_at,
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
