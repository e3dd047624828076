"""Random command sequences never break an invariant of lending."""

import contextlib
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from lending_factories import BORROWER, LENDER, NOW, half_days_from, make_offer

from deformations_contracts.types import HalfDayPart, Modality
from deformations_contracts.values import HALF_DAY_MINUTES
from deformations_lending.domain.calendar import HalfDay, Period
from deformations_lending.domain.errors import DomainError
from deformations_lending.domain.ledger import LedgerEntry, balances
from deformations_lending.domain.loan_model import Approval, Loan, LoanStatus, SessionStatus
from deformations_lending.domain.loans import (
    accept,
    approve,
    cancel,
    complete,
    decline,
    propose_loan,
    refuse_consent,
    withdraw_offer,
)
from deformations_lending.domain.offers import Offer, OfferStatus
from deformations_lending.domain.sessions import (
    cancel_session,
    confirm_session,
    record_session_held,
    reschedule_session,
    schedule_session,
)

POOL = [*half_days_from(date(2026, 3, 3), 14), HalfDay(date(2026, 3, 4), HalfDayPart.MORNING)]
FEEDBACK = {"useful": 4, "need_met": 3, "autonomy": 5, "again": True}
ALLOWED = {
    LoanStatus.PROPOSED: {LoanStatus.ACCEPTED, LoanStatus.DECLINED, LoanStatus.CANCELLED},
    LoanStatus.ACCEPTED: {LoanStatus.AGREED, LoanStatus.DECLINED, LoanStatus.CANCELLED},
    LoanStatus.AGREED: {LoanStatus.COMPLETED, LoanStatus.CANCELLED},
    LoanStatus.COMPLETED: set(),
    LoanStatus.DECLINED: set(),
    LoanStatus.CANCELLED: set(),
}


class LendingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now: datetime = NOW
        # Two offers share one agent, so bookings must not clash across loans and offers.
        shared = make_offer(capacity=4, agent_ref="agent-shared")
        other = make_offer(capacity=3, agent_ref="agent-shared")
        third = replace(make_offer(capacity=2, agent_ref="agent-peronnas"), lender=BORROWER.siren)
        self.offers: dict[UUID, Offer] = {o.id: o for o in (shared, other, third)}
        self.offer_ids = list(self.offers)
        self.withdrawn_at: dict[UUID, datetime] = {}
        self.loans: dict[UUID, Loan] = {}
        self.loan_ids: list[UUID] = []
        self.ledger: list[LedgerEntry] = []

    # helpers ------------------------------------------------------------------------------

    def _loan(self, index: int) -> Loan:
        return self.loans[self.loan_ids[index % len(self.loan_ids)]]

    def _live_loan(self, index: int) -> Loan:
        """Mostly an agreed loan (sessions only happen there), sometimes any loan."""
        agreed = [loan for loan in self.loans.values() if loan.status is LoanStatus.AGREED]
        if agreed and index % 5:
            return agreed[index % len(agreed)]
        return self._loan(index)

    def _store(self, loan: Loan, offer: Offer | None = None) -> None:
        previous = self.loans.get(loan.id)
        if previous is not None and previous.status is not loan.status:
            assert loan.status in ALLOWED[previous.status], (previous.status, loan.status)
        self.loans[loan.id] = loan
        if offer is not None:
            self.offers[offer.id] = offer

    def _bookings(self, loan: Loan) -> frozenset[HalfDay]:
        return frozenset(
            s.half_day
            for other in self.loans.values()
            if other.agent_ref == loan.agent_ref
            for s in other.sessions
            if s.status is not SessionStatus.CANCELLED
        )

    # rules --------------------------------------------------------------------------------

    @initialize(half_days=st.integers(1, 3))
    def start_with_an_agreed_loan(self, half_days: int) -> None:
        self.propose(0, half_days)
        self.agree_at_once(0)

    @rule(offer=st.integers(0, 2), half_days=st.integers(1, 3))
    def propose(self, offer: int, half_days: int) -> None:
        chosen = self.offers[self.offer_ids[offer]]
        borrower = LENDER.siren if chosen.lender == BORROWER.siren else BORROWER.siren
        try:
            outcome = propose_loan(
                loan_id=uuid4(),
                offer=chosen,
                borrower=borrower,
                half_days=half_days,
                period=Period(date(2026, 3, 2), date(2026, 4, 30)),
                scope="Mise à niveau sur l'alimentation durable.",
                modality=Modality.ON_SITE,
                now=self.now,
            )
        except DomainError:
            return
        self.loan_ids.append(outcome.loan.id)
        self._store(outcome.loan)

    @precondition(lambda self: self.loan_ids)
    @rule(index=st.integers(0, 20))
    def accept(self, index: int) -> None:
        with contextlib.suppress(DomainError):
            self._store(accept(self._loan(index), now=self.now).loan)

    @precondition(lambda self: self.loan_ids)
    @rule(index=st.integers(0, 20), approval=st.sampled_from(Approval))
    def approve(self, index: int, approval: Approval) -> None:
        loan = self._loan(index)
        try:
            outcome = approve(loan, self.offers[loan.offer_id], approval, now=self.now)
        except DomainError:
            return
        self._store(outcome.loan, outcome.offer)

    @precondition(lambda self: self.loan_ids)
    @rule(index=st.integers(0, 20))
    def agent_refuses(self, index: int) -> None:
        with contextlib.suppress(DomainError):
            self._store(refuse_consent(self._loan(index), reason="Non", now=self.now).loan)

    @precondition(lambda self: self.loan_ids)
    @rule(index=st.integers(0, 20))
    def agree_at_once(self, index: int) -> None:
        """Borrower acceptance then the three approvals, so that sequences reach sessions."""
        loan = self._loan(index)
        try:
            loan = accept(loan, now=self.now).loan
            self._store(loan)
            for approval in Approval:
                outcome = approve(loan, self.offers[loan.offer_id], approval, now=self.now)
                loan = outcome.loan
                self._store(outcome.loan, outcome.offer)
        except DomainError:
            pass

    @precondition(lambda self: self.loan_ids)
    @rule(index=st.integers(0, 20), decline_it=st.booleans())
    def end(self, index: int, decline_it: bool) -> None:
        loan = self._loan(index)
        try:
            if decline_it:
                self._store(decline(loan, reason="Refusé", now=self.now).loan)
            else:
                outcome = cancel(loan, self.offers[loan.offer_id], reason="Annulé", now=self.now)
                self._store(outcome.loan, outcome.offer)
        except DomainError:
            pass

    @precondition(lambda self: self.loan_ids)
    @rule(index=st.integers(0, 20), slot=st.integers(0, len(POOL) - 1))
    def schedule(self, index: int, slot: int) -> None:
        loan = self._live_loan(index)
        try:
            outcome = schedule_session(
                loan,
                self.offers[loan.offer_id],
                session_id=uuid4(),
                half_day=POOL[slot],
                agent_bookings=self._bookings(loan),
                now=self.now,
            )
        except DomainError:
            return
        self._store(outcome.loan)

    @precondition(lambda self: self.loan_ids)
    @rule(
        index=st.integers(0, 20),
        session=st.integers(0, 5),
        slot=st.integers(0, len(POOL) - 1),
        action=st.sampled_from(["reschedule", "confirm", "cancel", "held"]),
    )
    def act_on_session(self, index: int, session: int, slot: int, action: str) -> None:
        loan = self._live_loan(index)
        if not loan.sessions:
            return
        sid = loan.sessions[session % len(loan.sessions)].id
        try:
            if action == "reschedule":
                updated = reschedule_session(
                    loan,
                    self.offers[loan.offer_id],
                    session_id=sid,
                    half_day=POOL[slot],
                    agent_bookings=self._bookings(loan),
                    now=self.now,
                ).loan
            elif action == "confirm":
                updated = confirm_session(loan, session_id=sid, now=self.now).loan
            elif action == "cancel":
                updated = cancel_session(loan, session_id=sid, reason="Empêché", now=self.now).loan
            else:
                due = [
                    x.id
                    for x in loan.sessions
                    if x.status is not SessionStatus.CANCELLED
                    and x.half_day.starts_at() <= self.now
                ]
                sid = due[session % len(due)] if due else sid
                held = record_session_held(
                    loan, session_id=sid, transaction_id=uuid4(), now=self.now
                )
                updated = held.loan
                self.ledger.extend(held.transaction.entries)
        except DomainError:
            return
        self._store(updated)

    @precondition(lambda self: self.loan_ids)
    @rule(index=st.integers(0, 20))
    def hold_due_sessions(self, index: int) -> None:
        """Time passes until the loan's next session, then its due sessions are held."""
        loan = self._live_loan(index)
        upcoming = [
            s.half_day.starts_at()
            for s in loan.sessions
            if s.status is not SessionStatus.CANCELLED and s.half_day.starts_at() > self.now
        ]
        if upcoming:
            self.now = min(upcoming) + timedelta(hours=4)
        for s in loan.sessions:
            if s.half_day.starts_at() > self.now:
                continue
            try:
                held = record_session_held(
                    loan, session_id=s.id, transaction_id=uuid4(), now=self.now
                )
            except DomainError:
                continue
            loan = held.loan
            self.ledger.extend(held.transaction.entries)
            self._store(loan)

    @precondition(lambda self: self.loan_ids)
    @rule(index=st.integers(0, 20))
    def complete(self, index: int) -> None:
        loan = self._live_loan(index)
        try:
            outcome = complete(
                loan, self.offers[loan.offer_id], borrower_feedback=FEEDBACK, now=self.now
            )
        except DomainError:
            return
        self._store(outcome.loan, outcome.offer)

    @rule(offer=st.integers(0, 14))
    def withdraw(self, offer: int) -> None:
        if offer > 2:  # withdrawals are rarer than other commands
            return
        chosen = self.offers[self.offer_ids[offer]]
        try:
            outcome = withdraw_offer(chosen, self.loans.values(), reason="Retrait", now=self.now)
        except DomainError:
            return
        self.offers[chosen.id] = outcome.offer
        self.withdrawn_at[chosen.id] = self.now
        for loan in outcome.loans:
            self._store(loan)

    @rule(hours=st.integers(1, 200))
    def wait(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    # invariants ---------------------------------------------------------------------------

    @invariant()
    def agent_consents_only_once_named_by_hr(self) -> None:
        for loan in self.loans.values():
            assert Approval.AGENT not in loan.approvals or Approval.HR in loan.approvals

    @invariant()
    def offers_never_over_committed(self) -> None:
        for offer in self.offers.values():
            assert 0 <= offer.committed_half_days <= offer.capacity_half_days
            expected = 0
            for loan in self.loans.values():
                if loan.offer_id != offer.id or loan.agreed_at is None:
                    continue
                expected += (
                    loan.half_days if loan.status is LoanStatus.AGREED else (loan.held_half_days)
                )
            assert offer.committed_half_days == expected

    @invariant()
    def loans_within_their_half_days(self) -> None:
        for loan in self.loans.values():
            assert loan.active_half_days <= loan.half_days
            if loan.status in {LoanStatus.AGREED, LoanStatus.COMPLETED}:
                assert not loan.missing_approvals
            if loan.status is not LoanStatus.AGREED:
                assert not any(
                    s.status in {SessionStatus.SCHEDULED, SessionStatus.CONFIRMED}
                    for s in loan.sessions
                )

    @invariant()
    def agent_never_booked_twice(self) -> None:
        bookings = Counter(
            (loan.agent_ref, s.half_day)
            for loan in self.loans.values()
            for s in loan.sessions
            if s.status is not SessionStatus.CANCELLED
        )
        assert all(count == 1 for count in bookings.values()), bookings

    @invariant()
    def withdrawn_offers_keep_no_future_unconfirmed_session(self) -> None:
        for offer_id, when in self.withdrawn_at.items():
            assert self.offers[offer_id].status is OfferStatus.WITHDRAWN
            for loan in self.loans.values():
                if loan.offer_id != offer_id:
                    continue
                for s in loan.sessions:
                    if s.status is SessionStatus.SCHEDULED:
                        assert s.half_day.starts_at() <= when

    @invariant()
    def ledger_balanced_and_matches_sessions(self) -> None:
        assert sum(e.minutes for e in self.ledger) == 0
        expected: Counter[str] = Counter()
        for loan in self.loans.values():
            expected[loan.lender] += loan.held_half_days * HALF_DAY_MINUTES
            expected[loan.borrower] -= loan.held_half_days * HALF_DAY_MINUTES
        actual = balances(self.ledger)
        for siren in set(expected) | set(actual):
            assert actual.get(siren, 0) == expected[siren]


LendingMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=50, deadline=None)
TestLendingMachine = LendingMachine.TestCase
