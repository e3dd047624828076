"""Rebonds: the trainer's debrief and proposal after a module, and its answer."""

from datetime import datetime
from uuid import UUID

from asyncpg import Record

from deformations_common.db import Connection
from deformations_training.domain.journey import Rebond, RebondKind, RebondStatus
from deformations_training.repositories import constraints


def _rebond(row: Record) -> Rebond:
    return Rebond(
        id=row["id"],
        after_enrolment_id=row["after_enrolment_id"],
        person_id=row["person_id"],
        kind=RebondKind(row["kind"]),
        offer_id=row["offer_id"],
        debrief=row["debrief"],
        proposal=row["proposal"],
        trainer_id=row["trainer_id"],
        proposed_at=row["proposed_at"],
        status=RebondStatus(row["status"]),
        answered_at=row["answered_at"],
        remind_at=row["remind_at"],
        reminded_at=row["reminded_at"],
    )


class RebondRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, rebond: Rebond) -> None:
        async with constraints():
            await self.conn.execute(
                "INSERT INTO rebonds (id, after_enrolment_id, person_id, kind, offer_id, debrief,"
                " proposal, trainer_id, proposed_at, status, remind_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                rebond.id,
                rebond.after_enrolment_id,
                rebond.person_id,
                rebond.kind.value,
                rebond.offer_id,
                rebond.debrief,
                rebond.proposal,
                rebond.trainer_id,
                rebond.proposed_at,
                rebond.status.value,
                rebond.remind_at,
            )

    async def get(self, rebond_id: UUID, *, for_update: bool = False) -> Rebond | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM rebonds WHERE id = $1{lock}", rebond_id)
        return _rebond(row) if row else None

    async def save(self, rebond: Rebond) -> None:
        await self.conn.execute(
            "UPDATE rebonds SET status = $2, answered_at = $3, reminded_at = $4 WHERE id = $1",
            rebond.id,
            rebond.status.value,
            rebond.answered_at,
            rebond.reminded_at,
        )

    async def of_person(self, person_id: str) -> list[Rebond]:
        rows = await self.conn.fetch(
            "SELECT * FROM rebonds WHERE person_id = $1 ORDER BY proposed_at", person_id
        )
        return [_rebond(r) for r in rows]

    async def reminders_due(self, now: datetime, limit: int = 200) -> list[Rebond]:
        """Rebonds whose one-year reminder is due; locked, skipped by other replicas."""
        rows = await self.conn.fetch(
            "SELECT * FROM rebonds WHERE reminded_at IS NULL AND remind_at <= $1"
            " ORDER BY remind_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            now,
            limit,
        )
        return [_rebond(r) for r in rows]
