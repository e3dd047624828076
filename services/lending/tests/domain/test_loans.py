from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest
from lending_factories import BORROWER, NOW, agree, half_days_from, make_loan, make_offer

from deformations_contracts.types import HalfDayPart, Modality
from deformations_lending.domain.calendar import HalfDay, Period, WeeklyHalfDay
from deformations_lending.domain.errors import (
    AgentAlreadyBookedError,
    CapacityExceededError,
    InvalidInputError,
    InvalidTransitionError,
)
from deformations_lending.domain.events import (
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
    OfferWithdrawn,
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_lending.domain.feedback import Answer, Respondent
from deformations_lending.domain.ledger import LedgerEntry
from deformations_lending.domain.loan_model import Approval, LoanStatus, Origin, SessionStatus
from deformations_lending.domain.loans import (
    accept,
    approve,
    cancel,
    complete,
    decline,
    propose_from_match,
    propose_loan,
    record_feedback,
    refuse_consent,
    withdraw_offer,
)
from deformations_lending.domain.offers import publish_request, withdraw_request
from deformations_lending.domain.policy import APPROVAL_COMMANDS, Command
from deformations_lending.domain.sessions import (
    cancel_session,
    confirm_session,
    record_session_held,
    reschedule_session,
    schedule_session,
)

GOOD_FEEDBACK: dict[str, Answer] = {
    "useful": 5,
    "need_met": 4,
    "autonomy": 4,
    "again": True,
    "comment": " Merci ! ",
}


@pytest.mark.parametrize(
    "order",
    [
        (Approval.HR, Approval.AGENT, Approval.ELECTED),
        (Approval.ELECTED, Approval.HR, Approval.AGENT),
        (Approval.HR, Approval.ELECTED, Approval.AGENT),
    ],
)
def test_agreement_needs_elected_hr_and_agent_the_elected_in_any_order(
    order: tuple[Approval, ...],
) -> None:
    offer = make_offer()
    loan = accept(make_loan(offer), now=NOW).loan
    for approval in order[:2]:
        outcome = approve(loan, offer, approval, now=NOW)
        loan, offer = outcome.loan, outcome.offer
        assert loan.status is LoanStatus.ACCEPTED
        assert offer.committed_half_days == 0
    outcome = approve(loan, offer, order[2], now=NOW)
    assert outcome.loan.status is LoanStatus.AGREED
    assert outcome.offer.committed_half_days == 2
    assert any(isinstance(e, LoanAgreed) for e in outcome.events)
    assert LoanAgreed.routing_key == "loan.agreed.v1"


def test_the_agent_answers_only_once_named_by_the_hr() -> None:
    offer = make_offer()
    loan = accept(make_loan(offer), now=NOW).loan
    loan = approve(loan, offer, Approval.ELECTED, now=NOW).loan
    for answer in (
        lambda: approve(loan, offer, Approval.AGENT, now=NOW),
        lambda: refuse_consent(loan, reason="Non", now=NOW),
    ):
        with pytest.raises(InvalidTransitionError, match="désigné par les ressources humaines"):
            answer()


def test_the_agents_refusal_declines_the_loan_with_their_reason() -> None:
    offer = make_offer()
    loan = accept(make_loan(offer), now=NOW).loan
    loan = approve(loan, offer, Approval.HR, now=NOW).loan
    with pytest.raises(InvalidInputError, match="motif"):
        refuse_consent(loan, reason="  ", now=NOW)
    outcome = refuse_consent(loan, reason="Je pars en congé", now=NOW)
    assert outcome.loan.status is LoanStatus.DECLINED
    assert outcome.loan.end_reason == "Refus de l'agent : Je pars en congé"
    consented = approve(loan, offer, Approval.AGENT, now=NOW).loan
    with pytest.raises(InvalidTransitionError, match="déjà donné votre accord"):
        refuse_consent(consented, reason="Finalement non", now=NOW)


def test_approval_before_acceptance_is_refused_with_a_reason() -> None:
    offer = make_offer()
    loan = make_loan(offer)
    with pytest.raises(InvalidTransitionError, match="le prêt est proposé"):
        approve(loan, offer, Approval.HR, now=NOW)


def test_same_approval_twice_is_refused() -> None:
    offer = make_offer()
    loan = accept(make_loan(offer), now=NOW).loan
    loan = approve(loan, offer, Approval.HR, now=NOW).loan
    with pytest.raises(InvalidTransitionError, match="ressources humaines"):
        approve(loan, offer, Approval.HR, now=NOW)


def test_two_loans_cannot_over_commit_an_offer() -> None:
    offer = make_offer(capacity=3)
    first, second = make_loan(offer, half_days=2), make_loan(offer, half_days=2)
    _, offer = agree(first, offer)
    with pytest.raises(CapacityExceededError, match="plus que 1"):
        agree(second, offer)


def test_proposal_checks_borrower_period_and_modality() -> None:
    offer = make_offer()
    kwargs = {
        "loan_id": uuid4(),
        "offer": offer,
        "half_days": 1,
        "scope": "x",
        "now": NOW,
    }
    with pytest.raises(InvalidInputError, match="propre agent"):
        propose_loan(
            borrower=offer.lender,
            period=offer.period,
            modality=Modality.ON_SITE,
            **kwargs,
        )
    with pytest.raises(InvalidInputError, match="période"):
        propose_loan(
            borrower=BORROWER.siren,
            period=Period(date(2026, 6, 1), date(2026, 7, 15)),
            modality=Modality.ON_SITE,
            **kwargs,
        )


def test_full_lifecycle_to_completion_and_feedback() -> None:
    offer = make_offer()
    loan, offer = agree(make_loan(offer), offer)
    first, second = half_days_from(date(2026, 3, 3), 2)
    loan = schedule_session(
        loan, offer, session_id=uuid4(), half_day=first, agent_bookings=frozenset(), now=NOW
    ).loan
    outcome = schedule_session(
        loan, offer, session_id=uuid4(), half_day=second, agent_bookings=frozenset(), now=NOW
    )
    assert isinstance(outcome.events[0], SessionScheduled)
    loan = outcome.loan
    with pytest.raises(CapacityExceededError):
        schedule_session(
            loan,
            offer,
            session_id=uuid4(),
            half_day=half_days_from(date(2026, 4, 1), 1)[0],
            agent_bookings=frozenset(),
            now=NOW,
        )
    later = datetime(2026, 3, 20, 18, 0, tzinfo=NOW.tzinfo)
    ledger: list[LedgerEntry] = []
    for s in loan.sessions:
        loan = confirm_session(loan, session_id=s.id, now=NOW).loan
        held = record_session_held(loan, session_id=s.id, transaction_id=uuid4(), now=later)
        loan = held.loan
        ledger.extend(held.transaction.entries)
    assert sum(e.minutes for e in ledger) == 0
    done = complete(loan, offer, borrower_feedback=GOOD_FEEDBACK, now=later)
    assert done.loan.status is LoanStatus.COMPLETED
    assert done.loan.feedback[Respondent.BORROWER]["comment"] == "Merci !"
    completed = [e for e in done.events if isinstance(e, LoanCompleted)]
    assert completed[0].half_days_held == 2
    assert completed[0].minutes_held == 420
    agent_answers = {"interest": 5, "recognition": 4, "conditions": 3, "again": True}
    loan = record_feedback(done.loan, Respondent.AGENT, agent_answers, now=later).loan
    with pytest.raises(InvalidTransitionError, match="déjà été rempli"):
        record_feedback(loan, Respondent.AGENT, agent_answers, now=later)


def test_session_rules() -> None:
    offer = make_offer()
    loan, offer = agree(make_loan(offer), offer)
    wednesday = HalfDay(date(2026, 3, 4), HalfDayPart.MORNING)
    with pytest.raises(InvalidInputError, match="disponible que"):
        schedule_session(
            loan, offer, session_id=uuid4(), half_day=wednesday, agent_bookings=frozenset(), now=NOW
        )
    past = HalfDay(date(2026, 3, 2), HalfDayPart.MORNING)
    with pytest.raises(InvalidInputError, match="futur"):
        schedule_session(
            loan,
            offer,
            session_id=uuid4(),
            half_day=past,
            agent_bookings=frozenset(),
            now=NOW + timedelta(hours=2),
        )
    tuesday = HalfDay(date(2026, 3, 3), HalfDayPart.AFTERNOON)
    with pytest.raises(AgentAlreadyBookedError, match="mardi 3 mars 2026, après-midi"):
        schedule_session(
            loan,
            offer,
            session_id=uuid4(),
            half_day=tuesday,
            agent_bookings=frozenset({tuesday}),
            now=NOW,
        )
    sid = uuid4()
    loan = schedule_session(
        loan, offer, session_id=sid, half_day=tuesday, agent_bookings=frozenset(), now=NOW
    ).loan
    with pytest.raises(InvalidTransitionError, match="pas encore eu lieu"):
        record_session_held(loan, session_id=sid, transaction_id=uuid4(), now=NOW)
    thursday = HalfDay(date(2026, 3, 5), HalfDayPart.MORNING)
    loan = confirm_session(loan, session_id=sid, now=NOW).loan
    moved = reschedule_session(
        loan, offer, session_id=sid, half_day=thursday, agent_bookings=frozenset(), now=NOW
    )
    assert isinstance(moved.events[0], SessionRescheduled)
    assert moved.loan.session(sid).status is SessionStatus.SCHEDULED  # needs confirming again
    cancelled = cancel_session(moved.loan, session_id=sid, reason="Agent malade", now=NOW)
    assert isinstance(cancelled.events[0], SessionCancelled)
    assert cancelled.loan.active_half_days == 0


def test_completion_needs_sessions_settled_and_held() -> None:
    offer = make_offer()
    loan, offer = agree(make_loan(offer), offer)
    with pytest.raises(InvalidTransitionError, match="Aucune séance"):
        complete(loan, offer, borrower_feedback=GOOD_FEEDBACK, now=NOW)
    day = half_days_from(date(2026, 3, 3), 1)[0]
    loan = schedule_session(
        loan, offer, session_id=uuid4(), half_day=day, agent_bookings=frozenset(), now=NOW
    ).loan
    with pytest.raises(InvalidTransitionError, match="1 séance"):
        complete(loan, offer, borrower_feedback=GOOD_FEEDBACK, now=NOW)


def test_decline_and_cancel_with_reason() -> None:
    offer = make_offer()
    loan = make_loan(offer)
    declined = decline(loan, reason="L'agent n'est pas disponible", now=NOW).loan
    assert declined.status is LoanStatus.DECLINED
    with pytest.raises(InvalidTransitionError, match="le prêt est refusé"):
        accept(declined, now=NOW)
    with pytest.raises(InvalidInputError, match="motif"):
        decline(loan, reason="  ", now=NOW)
    agreed, committed = agree(make_loan(offer, half_days=3), offer)
    outcome = cancel(agreed, committed, reason="Projet reporté", now=NOW)
    assert outcome.offer.committed_half_days == 0
    assert isinstance(outcome.events[-1], LoanCancelled)


def test_withdrawing_an_offer_cancels_future_unconfirmed_sessions_only() -> None:
    offer = make_offer()
    loan, offer = agree(make_loan(offer, half_days=3), offer)
    pending = make_loan(offer, half_days=1)
    days = half_days_from(date(2026, 3, 3), 3)
    ids = [uuid4() for _ in days]
    for sid, day in zip(ids, days, strict=True):
        loan = schedule_session(
            loan, offer, session_id=sid, half_day=day, agent_bookings=frozenset(), now=NOW
        ).loan
    loan = confirm_session(loan, session_id=ids[1], now=NOW).loan
    # Withdrawn after the first half-day has started: it is not "future" any more.
    when = days[0].starts_at() + timedelta(hours=1)
    outcome = withdraw_offer(offer, [loan, pending], reason="Agent muté", now=when)
    assert isinstance(outcome.events[0], OfferWithdrawn)
    changed = {updated.id: updated for updated in outcome.loans}
    statuses = [changed[loan.id].session(sid).status for sid in ids]
    assert statuses == [
        SessionStatus.SCHEDULED,
        SessionStatus.CONFIRMED,
        SessionStatus.CANCELLED,
    ]
    assert changed[pending.id].status is LoanStatus.CANCELLED
    with pytest.raises(InvalidTransitionError, match="retirée"):
        schedule_session(
            changed[loan.id],
            outcome.offer,
            session_id=uuid4(),
            half_day=half_days_from(date(2026, 4, 6), 1)[0],
            agent_bookings=frozenset(),
            now=when,
        )


def test_a_match_becomes_a_proposal_on_the_common_period() -> None:
    offer = make_offer(capacity=2)
    request, events = publish_request(
        request_id=uuid4(),
        requester=BORROWER.siren,
        theme="alimentation",
        need="Élu de petite commune cherche mise à niveau sur l'alimentation durable.",
        period=Period(date(2026, 2, 1), date(2026, 4, 15)),
        half_days=3,
        possible_half_days=frozenset(),
        modality=Modality.EITHER,
        now=NOW,
    )
    assert events[0].routing_key == "skill.requested.v1"
    match_id = uuid4()
    loan = propose_from_match(
        loan_id=uuid4(), match_id=match_id, offer=offer, request=request, now=NOW
    ).loan
    assert loan.origin is Origin.MATCH
    assert loan.match_id == match_id
    assert loan.borrower == BORROWER.siren
    assert loan.half_days == 2  # no more than the offer can give
    assert loan.period == Period(NOW.date(), date(2026, 4, 15))
    assert loan.modality is Modality.EITHER
    withdrawn, events = withdraw_request(request, reason="Besoin couvert", now=NOW)
    assert events[0].routing_key == "request.withdrawn.v1"
    with pytest.raises(InvalidTransitionError, match="déjà retirée"):
        withdraw_request(withdrawn, reason="x", now=NOW)


def test_offer_publication_rules() -> None:
    offer = make_offer()
    assert offer.remaining_half_days == 4
    with pytest.raises(InvalidInputError, match="capacité"):
        make_offer(capacity=0)
    with pytest.raises(InvalidInputError, match="précède"):
        Period(date(2026, 3, 2), date(2026, 3, 1))


def test_weekly_half_day_storage_form_round_trips() -> None:
    for weekday in range(7):
        for part in HalfDayPart:
            slot = WeeklyHalfDay(weekday, part)
            assert WeeklyHalfDay.parse(slot.code()) == slot
    for bad in ("7:am", "1:soir", "lundi", "1-am"):
        with pytest.raises(InvalidInputError):
            WeeklyHalfDay.parse(bad)


def test_every_approval_has_its_command() -> None:
    assert {APPROVAL_COMMANDS[a.value] for a in Approval} == {
        Command.APPROVE_AS_ELECTED,
        Command.APPROVE_AS_HR,
        Command.GIVE_AGENT_CONSENT,
    }
