"""What the loan repository returns: the domain's ``Loan`` with what its rows keep
besides (people around it, session places), and the mapping from rows."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from uuid import UUID

from asyncpg import Record

from deformations_contracts.types import HalfDayPart, Modality
from deformations_lending.domain.calendar import HalfDay, Period, WeeklyHalfDay
from deformations_lending.domain.feedback import Respondent
from deformations_lending.domain.loan_model import (
    Approval,
    Loan,
    LoanStatus,
    Origin,
    Session,
    SessionStatus,
)

APPROVAL_COLUMNS = {
    Approval.ELECTED: "elected_approved_at",
    Approval.HR: "hr_approved_at",
    Approval.AGENT: "agent_consented_at",
}


@dataclass(frozen=True, slots=True)
class SessionPlace:
    """What a session event says besides the half-day."""

    remote: bool
    place_label: str | None
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class People:
    """Pseudonymous person ids around a loan (erased on request)."""

    agent: str | None = None
    accepted_by: str | None = None
    elected_approved_by: str | None = None
    hr_approved_by: str | None = None


@dataclass(frozen=True, slots=True)
class LoanRecord:
    loan: Loan
    people: People
    places: Mapping[UUID, SessionPlace] = field(default_factory=dict)


def _session_from(row: Record) -> Session:
    return Session(
        id=row["id"],
        half_day=HalfDay(row["day"], HalfDayPart(row["part"])),
        status=SessionStatus(row["status"]),
        ledger_transaction_id=row["ledger_transaction_id"],
        cancellation_reason=row["cancellation_reason"],
    )


def loan_from(row: Record, sessions: list[Record], feedback: list[Record]) -> LoanRecord:
    approvals = {a: row[col] for a, col in APPROVAL_COLUMNS.items() if row[col] is not None}
    loan = Loan(
        id=row["id"],
        offer_id=row["offer_id"],
        lender=row["lender_siren"],
        borrower=row["borrower_siren"],
        agent_ref=row["agent_ref"],
        agent_role=row["agent_role"],
        theme=row["theme"],
        scope=row["scope"],
        half_days=row["half_days"],
        period=Period(row["period_start"], row["period_end"]),
        possible_half_days=frozenset(WeeklyHalfDay.parse(c) for c in row["possible_half_days"]),
        modality=Modality(row["modality"]),
        origin=Origin(row["origin"]),
        proposed_at=row["proposed_at"],
        request_id=row["request_id"],
        match_id=row["match_id"],
        status=LoanStatus(row["status"]),
        approvals=approvals,
        agreed_at=row["agreed_at"],
        ended_at=row["ended_at"],
        end_reason=row["end_reason"],
        sessions=tuple(_session_from(s) for s in sessions),
        feedback={Respondent(f["respondent"]): f["answers"] for f in feedback},
    )
    people = People(
        agent=row["agent_person_id"],
        accepted_by=row["accepted_by"],
        elected_approved_by=row["elected_approved_by"],
        hr_approved_by=row["hr_approved_by"],
    )
    places = {s["id"]: SessionPlace(s["remote"], s["place_label"], s["sequence"]) for s in sessions}
    return LoanRecord(loan, people, places)
