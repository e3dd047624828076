"""Questionnaires: when they are due, their answers, and their aggregates."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID

from asyncpg import Record

from deformations_common.db import Connection
from deformations_training.domain.evaluations import Evaluation, EvaluationKind


def _evaluation(row: Record) -> Evaluation:
    return Evaluation(
        id=row["id"],
        enrolment_id=row["enrolment_id"],
        offer_id=row["offer_id"],
        person_id=row["person_id"],
        kind=EvaluationKind(row["kind"]),
        due_at=row["due_at"],
        session_id=row["session_id"],
        notified_at=row["notified_at"],
        answered_at=row["answered_at"],
        answers=row["answers"],
        reminded_at=row["reminded_at"],
    )


class EvaluationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def schedule(self, evaluations: Sequence[Evaluation]) -> None:
        """Questionnaires to come; one of each kind per enrolment (a repeat is a no-op)."""
        await self.conn.executemany(
            "INSERT INTO evaluations (id, enrolment_id, offer_id, person_id, session_id, kind,"
            " due_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            [
                (
                    e.id,
                    e.enrolment_id,
                    e.offer_id,
                    e.person_id,
                    e.session_id,
                    e.kind.value,
                    e.due_at,
                )
                for e in evaluations
            ],
        )

    async def get(self, evaluation_id: UUID, *, for_update: bool = False) -> Evaluation | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(
            f"SELECT * FROM evaluations WHERE id = $1{lock}", evaluation_id
        )
        return _evaluation(row) if row else None

    async def of_person(self, person_id: str) -> list[Evaluation]:
        rows = await self.conn.fetch(
            "SELECT * FROM evaluations WHERE person_id = $1 ORDER BY due_at", person_id
        )
        return [_evaluation(r) for r in rows]

    async def save_answers(self, evaluation: Evaluation) -> None:
        await self.conn.execute(
            "UPDATE evaluations SET answered_at = $2, answers = $3 WHERE id = $1",
            evaluation.id,
            evaluation.answered_at,
            dict(evaluation.answers or {}),
        )

    async def due(self, now: datetime, limit: int = 200) -> list[Evaluation]:
        """Questionnaires due and not yet announced; locked, skipped by other replicas."""
        rows = await self.conn.fetch(
            "SELECT * FROM evaluations WHERE notified_at IS NULL AND due_at <= $1"
            " ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            now,
            limit,
        )
        return [_evaluation(r) for r in rows]

    async def reminders_due(self, announced_by: datetime, limit: int = 200) -> list[Evaluation]:
        """Announced by ``announced_by``, still unanswered, never reminded; locked, skipped
        by other replicas."""
        rows = await self.conn.fetch(
            "SELECT * FROM evaluations WHERE answered_at IS NULL AND reminded_at IS NULL"
            " AND notified_at IS NOT NULL AND notified_at <= $1"
            " ORDER BY notified_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            announced_by,
            limit,
        )
        return [_evaluation(r) for r in rows]

    async def mark_reminded(self, ids: Sequence[UUID], at: datetime) -> None:
        await self.conn.execute(
            "UPDATE evaluations SET reminded_at = $2 WHERE id = ANY($1::uuid[])", list(ids), at
        )

    async def mark_notified(self, ids: Sequence[UUID], at: datetime) -> None:
        await self.conn.execute(
            "UPDATE evaluations SET notified_at = $2 WHERE id = ANY($1::uuid[])", list(ids), at
        )

    async def answers_for(
        self, kind: EvaluationKind, *, offer_id: UUID | None = None, body_siren: str | None = None
    ) -> list[Mapping[str, int]]:
        rows = await self.conn.fetch(
            "SELECT v.answers FROM evaluations v JOIN offers o ON o.id = v.offer_id"
            " WHERE v.kind = $1 AND v.answered_at IS NOT NULL"
            " AND ($2::uuid IS NULL OR v.offer_id = $2)"
            " AND ($3::text IS NULL OR o.body_siren = $3)",
            kind.value,
            offer_id,
            body_siren,
        )
        return [r["answers"] for r in rows]
