"""One loan command as one unit of work: lock, authorise, decide, write, emit."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from deformations_common.auth import Principal
from deformations_common.db import Connection
from deformations_common.errors import NotFound
from deformations_common.logging import get_logger
from deformations_common.service import Runtime
from deformations_contracts.events.lending import LoanParty
from deformations_contracts.themes import label as theme_label
from deformations_contracts.types import HalfDayPart, Modality
from deformations_lending import events
from deformations_lending.api.common import allow, unit_of_work
from deformations_lending.api.schemas import CollectiviteOut, PeriodOut
from deformations_lending.collectivites import describe
from deformations_lending.domain.events import DomainEvent
from deformations_lending.domain.ledger import LedgerTransaction
from deformations_lending.domain.loans import APPROVAL_LABELS, STATUS_LABELS, Loan
from deformations_lending.domain.offers import Offer
from deformations_lending.domain.policy import Command, Parties
from deformations_lending.repositories import loans as rows
from deformations_lending.repositories import offers as offer_rows
from deformations_lending.repositories.loans import LoanRecord, People, SessionPlace
from deformations_lending.settings import LendingSettings

log = get_logger()


@dataclass(frozen=True, slots=True)
class Change:
    loan: Loan
    events: tuple[DomainEvent, ...]
    people: People | None = None
    places: Mapping[UUID, SessionPlace] | None = None
    ledger: LedgerTransaction | None = None
    note: str | None = None  # a reason the events carry (see ``events.for_loan``)


Decide = Callable[[LoanRecord, Offer, Connection], Awaitable[Change]]


def party_of(principal: Principal, loan: Loan) -> LoanParty:
    return LoanParty.LENDER if principal.authority == loan.lender else LoanParty.BORROWER


async def change_loan(
    runtime: Runtime[LendingSettings],
    principal: Principal,
    loan_id: UUID,
    command: Command,
    now: datetime,
    decide: Decide,
) -> LoanRecord:
    async with unit_of_work(runtime) as conn:
        offer_id = await rows.offer_of_loan(conn, loan_id)
        if offer_id is None:
            raise NotFound("Ce prêt n'existe pas.", code="loan_not_found")
        # Offer first, then loan: the order the schema's triggers take them in.
        offer = await offer_rows.get_offer(conn, offer_id, for_update=True)
        record = await rows.get_loan(conn, loan_id, for_update=True)
        assert offer is not None
        assert record is not None
        allow(principal, command, Parties(lender=record.loan.lender, borrower=record.loan.borrower))
        change = await decide(record, offer, conn)
        if change.ledger is not None:
            await rows.insert_ledger_transaction(conn, change.ledger)
        await rows.save_loan(
            conn, record, change.loan, people=change.people, new_places=change.places, now=now
        )
        after = await rows.get_loan(conn, loan_id)
        assert after is not None
        for event in events.for_loan(
            change.events,
            after,
            offer,
            borrower=describe(after.loan.borrower),
            stage_before=events.stage_of(record),
            acted_by=party_of(principal, record.loan),
            note=change.note,
        ):
            await runtime.emit(conn, event)
    log.info(
        "lending.loan_changed",
        loan_id=str(loan_id),
        command=command.value,
        status=after.loan.status.value,
    )
    return after


class SessionOut(BaseModel):
    id: UUID
    day: str
    part: HalfDayPart
    label: str
    status: str
    remote: bool
    place_label: str | None
    sequence: int


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
