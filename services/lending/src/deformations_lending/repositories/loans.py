"""Loans with their sessions and feedback: rows ↔ the domain's ``Loan``.

Counters (``offers.committed_half_days``, ``loans.live_half_days``) are moved by the
schema's triggers and never written here.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection
from deformations_contracts.types import HalfDayPart
from deformations_lending.domain.calendar import HalfDay
from deformations_lending.domain.feedback import Answer, Respondent
from deformations_lending.domain.loan_model import (
    Loan,
    SessionStatus,
)
from deformations_lending.repositories.loan_records import (
    APPROVAL_COLUMNS,
    LoanRecord,
    People,
    SessionPlace,
    loan_from,
)
from deformations_lending.repositories.statements import Statements


class LoanRepository:
    """Loans with their sessions, feedback and ledger transactions."""

    def __init__(self, conn: Connection) -> None:
        self._db = Statements(conn)

    async def get_loan(self, loan_id: UUID, *, for_update: bool = False) -> LoanRecord | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._db.fetchrow(f"SELECT * FROM loans WHERE id = $1{lock}", loan_id)
        if row is None:
            return None
        sessions = await self._db.fetch(
            "SELECT * FROM sessions WHERE loan_id = $1 ORDER BY day, part, created_at", loan_id
        )
        feedback = await self._db.fetch(
            "SELECT respondent, answers FROM feedback_responses WHERE loan_id = $1", loan_id
        )
        return loan_from(row, list(sessions), list(feedback))

    async def offer_of_loan(self, loan_id: UUID) -> UUID | None:
        offer_id: UUID | None = await self._db.fetchval(
            "SELECT offer_id FROM loans WHERE id = $1", loan_id
        )
        return offer_id

    async def live_loans_of_offer(self, offer_id: UUID) -> list[LoanRecord]:
        """Loans of the offer that are not over, locked for the caller's transaction."""
        ids = await self._db.fetch(
            """SELECT id FROM loans WHERE offer_id = $1
               AND status IN ('proposed', 'accepted', 'agreed') ORDER BY id FOR UPDATE""",
            offer_id,
        )
        records = [await self.get_loan(r["id"]) for r in ids]
        return [r for r in records if r is not None]

    async def loans_of(
        self, siren: str, *, status: str | None = None, limit: int = 50
    ) -> list[LoanRecord]:
        ids = await self._db.fetch(
            """SELECT id FROM loans WHERE (lender_siren = $1 OR borrower_siren = $1)
               AND ($2::text IS NULL OR status = $2)
               ORDER BY proposed_at DESC, id LIMIT $3""",
            siren,
            status,
            limit,
        )
        records = [await self.get_loan(r["id"]) for r in ids]
        return [r for r in records if r is not None]

    async def agent_bookings(self, agent_ref: str) -> frozenset[HalfDay]:
        rows = await self._db.fetch(
            "SELECT day, part FROM sessions WHERE agent_ref = $1 AND status <> 'cancelled'",
            agent_ref,
        )
        return frozenset(HalfDay(r["day"], HalfDayPart(r["part"])) for r in rows)

    async def insert_loan(self, loan: Loan, people: People) -> None:
        await self._db.execute(
            """INSERT INTO loans (id, offer_id, request_id, match_id, lender_siren, borrower_siren,
                   agent_ref, agent_role, theme, scope, half_days, period_start, period_end,
                   possible_half_days, modality, origin, status, proposed_at, accepted_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                       $17, $18, $19)""",
            loan.id,
            loan.offer_id,
            loan.request_id,
            loan.match_id,
            loan.lender,
            loan.borrower,
            loan.agent_ref,
            loan.agent_role,
            loan.theme,
            loan.scope,
            loan.half_days,
            loan.period.start,
            loan.period.end,
            [w.code() for w in sorted(loan.possible_half_days)],
            loan.modality.value,
            loan.origin.value,
            loan.status.value,
            loan.proposed_at,
            people.accepted_by,
        )

    async def save_loan(
        self,
        before: LoanRecord,
        after: Loan,
        *,
        people: People | None = None,
        new_places: Mapping[UUID, SessionPlace] | None = None,
        now: datetime,
    ) -> None:
        """Write what a command changed: sessions first (the loan's triggers count them),
        then the loan, then new feedback. ``people`` fields that are set overwrite."""
        await self._save_sessions(before, after, new_places or {}, now)
        approvals: dict[str, Any] = {
            col: after.approvals.get(a) for a, col in APPROVAL_COLUMNS.items()
        }
        p = people or People()
        await self._db.execute(
            """UPDATE loans SET status = $2, elected_approved_at = $3, hr_approved_at = $4,
                   agent_consented_at = $5, agreed_at = $6, ended_at = $7, end_reason = $8,
                   agent_person_id = coalesce($9, agent_person_id),
                   accepted_by = coalesce($10, accepted_by),
                   elected_approved_by = coalesce($11, elected_approved_by),
                   hr_approved_by = coalesce($12, hr_approved_by),
                   version = version + 1
               WHERE id = $1""",
            after.id,
            after.status.value,
            approvals["elected_approved_at"],
            approvals["hr_approved_at"],
            approvals["agent_consented_at"],
            after.agreed_at,
            after.ended_at,
            after.end_reason,
            p.agent,
            p.accepted_by,
            p.elected_approved_by,
            p.hr_approved_by,
        )
        for respondent, answers in after.feedback.items():
            if respondent not in before.loan.feedback:
                await self.insert_feedback(after.id, respondent, answers, now)

    async def _save_sessions(
        self,
        before: LoanRecord,
        after: Loan,
        new_places: Mapping[UUID, SessionPlace],
        now: datetime,
    ) -> None:
        previous = {s.id: s for s in before.loan.sessions}
        for session in after.sessions:
            old = previous.get(session.id)
            if old is None:
                place = new_places.get(session.id, SessionPlace(remote=False, place_label=None))
                await self._db.execute(
                    """INSERT INTO sessions (id, loan_id, agent_ref, day, part, status, remote,
                           place_label, created_at, updated_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)""",
                    session.id,
                    after.id,
                    after.agent_ref,
                    session.half_day.day,
                    session.half_day.part.value,
                    session.status.value,
                    place.remote,
                    place.place_label,
                    now,
                )
            elif old != session:
                # iCalendar's SEQUENCE moves when attendees must update their calendars.
                calendar_change = old.half_day != session.half_day or (
                    session.status is SessionStatus.CANCELLED
                )
                await self._db.execute(
                    """UPDATE sessions SET day = $2, part = $3, status = $4,
                           ledger_transaction_id = $5, cancellation_reason = $6,
                           sequence = sequence + $7, updated_at = $8
                       WHERE id = $1""",
                    session.id,
                    session.half_day.day,
                    session.half_day.part.value,
                    session.status.value,
                    session.ledger_transaction_id,
                    session.cancellation_reason,
                    1 if calendar_change else 0,
                    now,
                )

    async def insert_feedback(
        self,
        loan_id: UUID,
        respondent: Respondent,
        answers: Mapping[str, Answer],
        at: datetime,
    ) -> None:
        await self._db.execute(
            """INSERT INTO feedback_responses (loan_id, respondent, answers, submitted_at)
               VALUES ($1, $2, $3, $4)""",
            loan_id,
            respondent.value,
            dict(answers),
            at,
        )

    async def feedback_of_offer(self, offer_id: UUID) -> list[tuple[Respondent, dict[str, Answer]]]:
        rows = await self._db.fetch(
            """SELECT f.respondent, f.answers FROM feedback_responses f
               JOIN loans l ON l.id = f.loan_id WHERE l.offer_id = $1""",
            offer_id,
        )
        return [(Respondent(r["respondent"]), r["answers"]) for r in rows]

    async def erase_person(self, person_id: str) -> int:
        """Forget a person around loans; the loans, sessions and ledger stay."""
        status: str = await self._db.execute(
            """UPDATE loans SET
                   agent_person_id = nullif(agent_person_id, $1),
                   accepted_by = nullif(accepted_by, $1),
                   elected_approved_by = nullif(elected_approved_by, $1),
                   hr_approved_by = nullif(hr_approved_by, $1)
               WHERE $1 IN (agent_person_id, accepted_by, elected_approved_by, hr_approved_by)""",
            person_id,
        )
        return int(status.split()[-1])
