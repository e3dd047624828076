"""How a loan and its sessions are shown."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from deformations_contracts.themes import label as theme_label
from deformations_contracts.types import HalfDayPart, Modality
from deformations_lending.api.outputs import CollectiviteOut, PeriodOut
from deformations_lending.domain.collectivites import describe
from deformations_lending.domain.loan_model import APPROVAL_LABELS, STATUS_LABELS
from deformations_lending.repositories.loan_records import LoanRecord, SessionPlace


class SessionOut(BaseModel):
    id: UUID
    day: str
    part: HalfDayPart
    label: str
    status: str
    remote: bool
    place_label: str | None
    sequence: int

    @classmethod
    def find(cls, record: LoanRecord, session_id: UUID) -> "SessionOut":
        return next(s for s in LoanOut.of(record).sessions if s.id == session_id)


class LoanOut(BaseModel):
    id: UUID
    offer_id: UUID
    request_id: UUID | None
    proposal_id: UUID | None
    lender: CollectiviteOut
    borrower: CollectiviteOut
    agent_role: str
    theme: str
    theme_label: str
    scope: str
    half_days: int
    period: PeriodOut
    modality: Modality
    status: str
    status_label: str
    approvals: dict[str, datetime | None]
    agent_person_id: str | None  # the agent the RH named, who alone consents
    missing_approvals: list[str]
    agreed_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    sessions: list[SessionOut]
    feedback_from: list[str]
    documents: dict[str, str]

    @classmethod
    def of(cls, record: LoanRecord) -> "LoanOut":
        loan = record.loan
        base = f"/v1/loans/{loan.id}"
        sessions = []
        for s in loan.sessions:
            place = record.places.get(s.id, SessionPlace(remote=False, place_label=None))
            sessions.append(
                SessionOut(
                    id=s.id,
                    day=s.half_day.day.isoformat(),
                    part=s.half_day.part,
                    label=s.half_day.label(),
                    status=s.status.value,
                    remote=place.remote,
                    place_label=place.place_label,
                    sequence=place.sequence,
                )
            )
        return cls(
            id=loan.id,
            offer_id=loan.offer_id,
            request_id=loan.request_id,
            proposal_id=loan.match_id,
            lender=CollectiviteOut.of(describe(loan.lender)),
            borrower=CollectiviteOut.of(describe(loan.borrower)),
            agent_role=loan.agent_role,
            theme=loan.theme,
            theme_label=theme_label(loan.theme),
            scope=loan.scope,
            half_days=loan.half_days,
            period=PeriodOut.of(loan.period),
            modality=loan.modality,
            status=loan.status.value,
            status_label=STATUS_LABELS[loan.status],
            approvals={a.value: loan.approvals.get(a) for a in APPROVAL_LABELS},
            agent_person_id=record.people.agent,
            missing_approvals=[APPROVAL_LABELS[a] for a in loan.missing_approvals],
            agreed_at=loan.agreed_at,
            ended_at=loan.ended_at,
            end_reason=loan.end_reason,
            sessions=sessions,
            feedback_from=sorted(r.value for r in loan.feedback),
            documents={
                "convention_html": f"{base}/convention.html",
                "convention_pdf": f"{base}/convention.pdf",
                "attestation_html": f"{base}/attestation.html",
                "attestation_pdf": f"{base}/attestation.pdf",
            },
        )
