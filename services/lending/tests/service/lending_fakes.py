"""An in-memory unit of work: the use cases run against it with no server.

The repositories keep domain objects in dictionaries and behave as the SQL ones do for
what the use cases rely on (locks and the schema's triggers aside: the domain's own
checks are what these tests exercise). Emitted events are kept in ``uow.emitted``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from lending_factories import BORROWER, LENDER, MONDAY_AM, THURSDAY_AM, TUESDAY_PM

from deformations_common.vocabulary.clock import Clock
from deformations_contracts.base import EventData
from deformations_contracts.types import Modality
from deformations_devtools.erasure import InMemoryErasedPeople
from deformations_lending.domain.calendar import HalfDay, Period
from deformations_lending.domain.collectivites import Collectivite, describe
from deformations_lending.domain.feedback import Answer, Respondent
from deformations_lending.domain.ledger import LedgerTransaction, balances
from deformations_lending.domain.loan_model import Approval, Loan, LoanStatus, SessionStatus
from deformations_lending.domain.offers import (
    Offer,
    OfferStatus,
    ReimbursementBasis,
    RequestStatus,
    SkillRequest,
    SkillVisibility,
)
from deformations_lending.domain.policy import Actor
from deformations_lending.repositories.ledger import Balance
from deformations_lending.repositories.loan_records import LoanRecord, People, SessionPlace
from deformations_lending.repositories.offers import Browse
from deformations_lending.repositories.proposals import Proposal
from deformations_lending.service import catalogue, loans
from deformations_lending.service.catalogue import OfferDraft
from deformations_lending.service.uow import LendingUnitOfWork
from deformations_lending.settings import LendingSettings


class FakeOffers:
    def __init__(self) -> None:
        self.offers: dict[UUID, Offer] = {}
        self.requests: dict[UUID, SkillRequest] = {}

    async def insert_offer(self, offer: Offer) -> None:
        self.offers[offer.id] = offer

    async def get_offer(self, offer_id: UUID, *, for_update: bool = False) -> Offer | None:
        return self.offers.get(offer_id)

    async def mark_offer_withdrawn(self, offer: Offer, at: datetime) -> None:
        self.offers[offer.id] = offer

    async def insert_request(self, request: SkillRequest) -> None:
        self.requests[request.id] = request

    async def get_request(
        self, request_id: UUID, *, for_update: bool = False
    ) -> SkillRequest | None:
        return self.requests.get(request_id)

    async def mark_request_withdrawn(self, request: SkillRequest, at: datetime) -> None:
        self.requests[request.id] = request

    async def set_hidden(self, item: Offer | SkillRequest) -> None:
        if isinstance(item, Offer):
            self.offers[item.id] = item
        else:
            self.requests[item.id] = item

    async def recent_offers(self, limit: int) -> list[Offer]:
        return sorted(self.offers.values(), key=lambda o: o.published_at, reverse=True)[:limit]

    async def recent_requests(self, limit: int) -> list[SkillRequest]:
        return sorted(self.requests.values(), key=lambda r: r.published_at, reverse=True)[:limit]

    async def browse_offers(self, filters: Browse) -> list[Offer]:
        found = [
            o
            for o in self.offers.values()
            if (filters.include_closed or o.status is OfferStatus.OPEN)
            and filters.theme in (None, o.theme)
            and filters.owner in (None, o.lender)
            and (not o.hidden or o.lender == filters.viewer)
        ]
        return found[filters.offset : filters.offset + filters.limit]

    async def browse_requests(self, filters: Browse) -> list[SkillRequest]:
        found = [
            r
            for r in self.requests.values()
            if (filters.include_closed or r.status is RequestStatus.OPEN)
            and filters.theme in (None, r.theme)
            and filters.owner in (None, r.requester)
            and (not r.hidden or r.requester == filters.viewer)
        ]
        return found[filters.offset : filters.offset + filters.limit]


def _merged(before: People, given: People | None) -> People:
    """As the SQL's ``coalesce``: fields given overwrite, the others stay."""
    if given is None:
        return before
    return People(
        agent=given.agent or before.agent,
        accepted_by=given.accepted_by or before.accepted_by,
        elected_approved_by=given.elected_approved_by or before.elected_approved_by,
        hr_approved_by=given.hr_approved_by or before.hr_approved_by,
    )


class FakeLoans:
    def __init__(self) -> None:
        self.records: dict[UUID, LoanRecord] = {}
        self.ledger: list[LedgerTransaction] = []

    async def get_loan(self, loan_id: UUID, *, for_update: bool = False) -> LoanRecord | None:
        return self.records.get(loan_id)

    async def offer_of_loan(self, loan_id: UUID) -> UUID | None:
        record = self.records.get(loan_id)
        return None if record is None else record.loan.offer_id

    async def live_loans_of_offer(self, offer_id: UUID) -> list[LoanRecord]:
        live = {LoanStatus.PROPOSED, LoanStatus.ACCEPTED, LoanStatus.AGREED}
        return [
            r
            for r in self.records.values()
            if r.loan.offer_id == offer_id and r.loan.status in live
        ]

    async def loans_of(
        self, siren: str, *, status: str | None = None, limit: int = 50
    ) -> list[LoanRecord]:
        return [
            r
            for r in self.records.values()
            if siren in (r.loan.lender, r.loan.borrower) and status in (None, r.loan.status.value)
        ][:limit]

    async def agent_bookings(self, agent_ref: str) -> frozenset[HalfDay]:
        return frozenset(
            s.half_day
            for r in self.records.values()
            if r.loan.agent_ref == agent_ref
            for s in r.loan.sessions
            if s.status is not SessionStatus.CANCELLED
        )

    async def insert_loan(self, loan: Loan, people: People) -> None:
        self.records[loan.id] = LoanRecord(loan, people)

    async def save_loan(
        self,
        before: LoanRecord,
        after: Loan,
        *,
        people: People | None = None,
        new_places: Mapping[UUID, SessionPlace] | None = None,
        now: datetime,
    ) -> None:
        places = dict(before.places)
        previous = {s.id: s for s in before.loan.sessions}
        for session in after.sessions:
            old = previous.get(session.id)
            if old is None:
                places[session.id] = (new_places or {}).get(
                    session.id, SessionPlace(remote=False, place_label=None)
                )
            elif old.half_day != session.half_day or (
                old.status is not session.status and session.status is SessionStatus.CANCELLED
            ):
                places[session.id] = replace(
                    places[session.id], sequence=places[session.id].sequence + 1
                )
        self.records[after.id] = LoanRecord(after, _merged(before.people, people), places)

    async def feedback_of_offer(self, offer_id: UUID) -> list[tuple[Respondent, dict[str, Answer]]]:
        return [
            (respondent, dict(answers))
            for r in self.records.values()
            if r.loan.offer_id == offer_id
            for respondent, answers in r.loan.feedback.items()
        ]

    async def erase_person(self, person_id: str) -> int:
        erased = 0
        for loan_id, record in list(self.records.items()):
            p = record.people
            fields = {
                k: getattr(p, k)
                for k in ("agent", "accepted_by", "elected_approved_by", "hr_approved_by")
            }
            if person_id in fields.values():
                kept = {k: (None if v == person_id else v) for k, v in fields.items()}
                self.records[loan_id] = replace(record, people=People(**kept))
                erased += 1
        return erased


PEOPLE_FIELDS = ("agent", "accepted_by", "elected_approved_by", "hr_approved_by")


class FakeProposals:
    def __init__(self, loans: FakeLoans) -> None:
        self.rows: dict[tuple[UUID, UUID], Proposal] = {}
        self._loans = loans

    def _with_loan(self, p: Proposal) -> Proposal:
        loan_id = next(
            (
                r.loan.id
                for r in self._loans.records.values()
                if r.loan.match_id == p.proposal_id and r.loan.request_id == p.request_id
            ),
            None,
        )
        return replace(p, loan_id=loan_id)

    async def store(self, proposals: list[Proposal]) -> None:
        for p in proposals:
            self.rows.setdefault((p.proposal_id, p.request_id), p)

    async def for_borrower(self, siren: str, *, limit: int = 50) -> list[Proposal]:
        found = [self._with_loan(p) for p in self.rows.values() if p.borrower_siren == siren]
        return sorted(found, key=lambda p: p.proposed_at, reverse=True)[:limit]

    async def get(self, proposal_id: UUID, request_id: UUID) -> Proposal | None:
        found = self.rows.get((proposal_id, request_id))
        return None if found is None else self._with_loan(found)


class FakeCollectivites:
    def __init__(self) -> None:
        self.known: dict[str, Collectivite] = {}

    async def remember(self, *sirens: str) -> list[Collectivite]:
        described = [describe(siren) for siren in sirens]
        for c in described:
            self.known[c.siren] = c
        return described


class FakeLedger:
    def __init__(self, loans: FakeLoans) -> None:
        self._loans = loans

    async def insert_ledger_transaction(self, txn: LedgerTransaction) -> None:
        self._loans.ledger.append(txn)

    async def balances(self, *, epci: str | None = None) -> list[Balance]:
        entries = [e for t in self._loans.ledger for e in t.entries]
        found = [
            Balance(siren, describe(siren).name, minutes)
            for siren, minutes in balances(entries).items()
            if epci in (None, describe(siren).epci_siren)
        ]
        return sorted(found, key=lambda b: (-b.minutes, b.siren or ""))

    async def balances_by_epci(self) -> list[Balance]:
        raise NotImplementedError("per-EPCI balances are a SQL view, tested on PostgreSQL")


class FakeUnitOfWork(LendingUnitOfWork):
    """``LendingUnitOfWork`` over the fakes above; ``emitted`` lists what it emitted."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(None, LendingSettings(), clock, self._record)
        self.emitted: list[EventData] = []
        self.fake_offers = FakeOffers()
        self.fake_loans = FakeLoans()
        self.fake_proposals = FakeProposals(self.fake_loans)
        self.fake_collectivites = FakeCollectivites()
        self.fake_ledger = FakeLedger(self.fake_loans)
        self._erased_people = InMemoryErasedPeople()

    async def _record(self, conn: Any, events: Sequence[EventData]) -> list[UUID]:
        self.emitted.extend(events)
        return [UUID(int=len(self.emitted) - len(events) + i) for i in range(len(events))]

    @property
    def erased_people(self) -> Any:
        return self._erased_people

    @property
    def offers(self) -> Any:
        return self.fake_offers

    @property
    def loans(self) -> Any:
        return self.fake_loans

    @property
    def proposals(self) -> Any:
        return self.fake_proposals

    @property
    def collectivites(self) -> Any:
        return self.fake_collectivites

    @property
    def ledger(self) -> Any:
        return self.fake_ledger

    def routing_keys(self) -> list[str]:
        return [e.routing_key for e in self.emitted]


# Scenario shortcuts through the use cases themselves ---------------------------------------


def actor(siren: str | None, *roles: str, person: str = "p-1") -> Actor:
    return Actor(person, siren, frozenset(roles))


def offer_draft(**changes: Any) -> OfferDraft:
    draft = OfferDraft(
        theme="alimentation",
        description="Accompagner la cantine vers 50 % de produits durables (loi EGalim).",
        agent_role="technicien restauration collective",
        agent_ref="agent-7f3a",
        visibility=SkillVisibility.VISIBLE,
        capacity_half_days=4,
        period=Period(date(2026, 3, 1), date(2026, 6, 30)),
        possible_half_days=frozenset({MONDAY_AM, TUESDAY_PM, THURSDAY_AM}),
        modality=Modality.EITHER,
        reimbursement=ReimbursementBasis.FULL_SALARY,
    )
    return replace(draft, **changes)


async def agreed_loan(uow: FakeUnitOfWork, *, modality: Modality = Modality.ON_SITE) -> UUID:
    """An offer of the lender, a loan of the borrower on it, agreed by the lender."""
    offer = await catalogue.publish_offer(uow, actor(LENDER.siren, "hr"), offer_draft())
    record = await loans.propose_loan(
        uow,
        actor(BORROWER.siren, "elected", person="borrower-elected"),
        offer_id=offer.id,
        request_id=None,
        half_days=2,
        period=Period(date(2026, 3, 2), date(2026, 5, 31)),
        scope="Diagnostic des menus et plan d'approvisionnement local de la cantine.",
        modality=modality,
        accept=True,
    )
    loan_id = record.loan.id
    await loans.approve(uow, actor(LENDER.siren, "elected"), loan_id, Approval.ELECTED)
    await loans.approve(
        uow, actor(LENDER.siren, "hr"), loan_id, Approval.HR, agent_person_id="agent-1"
    )
    await loans.approve(
        uow, actor(LENDER.siren, "agent", person="agent-1"), loan_id, Approval.AGENT
    )
    return loan_id
