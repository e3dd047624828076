"""Sessions, completion and feedback over the in-memory unit of work."""

from datetime import date, datetime, timedelta

import pytest
from lending_factories import BORROWER, LENDER, half_days_from
from lending_fakes import FakeUnitOfWork, actor, agreed_loan

from deformations_common.vocabulary.clock import ManualClock
from deformations_common.vocabulary.french import PARIS
from deformations_contracts.events import lending as contract
from deformations_contracts.events import sessions as session_contract
from deformations_contracts.types import Modality
from deformations_contracts.values import HALF_DAY_MINUTES
from deformations_lending.domain.errors import (
    AgentAlreadyBookedError,
    ForbiddenError,
    InvalidInputError,
    InvalidTransitionError,
)
from deformations_lending.domain.feedback import Respondent
from deformations_lending.domain.loan_model import LoanStatus, SessionStatus
from deformations_lending.service import sessions

BORROWER_ANSWERS = {"useful": 5, "need_met": 4, "autonomy": 4, "again": True}
AGENT_ANSWERS = {"interest": 5, "recognition": 5, "conditions": 4, "again": True}
TWO = half_days_from(date(2026, 3, 9), 2)  # the next week's first two possible half-days


async def test_an_on_site_session_defaults_to_the_borrower_s_town_hall(
    uow: FakeUnitOfWork,
) -> None:
    loan_id = await agreed_loan(uow)
    uow.emitted.clear()

    record, session_id = await sessions.schedule(
        uow, actor(BORROWER.siren, "elected"), loan_id, TWO[0]
    )

    assert record.places[session_id].place_label == "Mairie de Péronnas"
    assert record.places[session_id].remote is False
    [event, asked] = uow.emitted
    assert isinstance(event, session_contract.SessionScheduled)
    assert event.session_id == session_id
    assert event.ends_at - event.starts_at == timedelta(minutes=HALF_DAY_MINUTES)
    # The lender confirms the half-days: told by mail, not left to come and look.
    assert isinstance(asked, contract.LoanActionRequested)
    assert (asked.action, asked.party, asked.session_id, asked.roles) == (
        contract.LoanAction.CONFIRM_SESSION,
        contract.LoanParty.LENDER,
        session_id,
        [contract.ActingRole.ELECTED, contract.ActingRole.HR],
    )


async def test_a_half_day_the_lender_proposes_asks_nobody_to_confirm(
    uow: FakeUnitOfWork,
) -> None:
    loan_id = await agreed_loan(uow)
    uow.emitted.clear()

    await sessions.schedule(uow, actor(LENDER.siren, "hr"), loan_id, TWO[0])

    assert uow.routing_keys() == ["session.scheduled.v1"]


async def test_a_remote_session_on_an_on_site_loan_is_refused(uow: FakeUnitOfWork) -> None:
    loan_id = await agreed_loan(uow, modality=Modality.ON_SITE)
    uow.emitted.clear()

    with pytest.raises(InvalidInputError) as refused:
        await sessions.schedule(uow, actor(BORROWER.siren, "elected"), loan_id, TWO[0], remote=True)

    assert "sur place" in refused.value.message
    assert uow.fake_loans.records[loan_id].loan.sessions == ()
    assert uow.emitted == []


async def test_the_agent_is_never_booked_twice(uow: FakeUnitOfWork) -> None:
    loan_id = await agreed_loan(uow)
    borrower = actor(BORROWER.siren, "elected")
    await sessions.schedule(uow, borrower, loan_id, TWO[0])

    with pytest.raises(AgentAlreadyBookedError) as twice:
        await sessions.schedule(uow, borrower, loan_id, TWO[0])

    assert (twice.value.code, twice.value.status) == ("agent_already_booked", 409)
    assert len(uow.fake_loans.records[loan_id].loan.sessions) == 1


async def test_a_session_is_held_only_once_its_time_has_come(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    loan_id = await agreed_loan(uow)
    borrower = actor(BORROWER.siren, "elected")
    _, session_id = await sessions.schedule(uow, borrower, loan_id, TWO[0])

    with pytest.raises(InvalidTransitionError):
        await sessions.record_held(uow, borrower, loan_id, session_id)
    assert uow.fake_loans.ledger == []

    clock.set(datetime.combine(TWO[0].day, datetime.min.time(), PARIS) + timedelta(hours=18))
    record = await sessions.record_held(uow, borrower, loan_id, session_id)

    assert record.loan.session(session_id).status is SessionStatus.HELD
    [txn] = uow.fake_loans.ledger
    assert {e.account: e.minutes for e in txn.entries} == {
        LENDER.siren: HALF_DAY_MINUTES,
        BORROWER.siren: -HALF_DAY_MINUTES,
    }
    assert txn.occurred_at == clock()


async def test_a_loan_completes_with_the_half_days_held(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    loan_id = await agreed_loan(uow)
    borrower = actor(BORROWER.siren, "elected")
    for half_day in TWO:
        _, session_id = await sessions.schedule(uow, borrower, loan_id, half_day)
        await sessions.confirm(uow, actor(LENDER.siren, "hr"), loan_id, session_id)
    clock.set(datetime.combine(TWO[1].day, datetime.min.time(), PARIS) + timedelta(hours=19))
    for session in uow.fake_loans.records[loan_id].loan.sessions:
        await sessions.record_held(uow, borrower, loan_id, session.id)

    record = await sessions.complete(uow, borrower, loan_id, BORROWER_ANSWERS)

    assert record.loan.status is LoanStatus.COMPLETED
    completed = uow.emitted[-1]
    assert isinstance(completed, contract.LoanCompleted)
    assert (completed.half_days_used, completed.agent_person_id) == (2, "agent-1")
    assert completed.completed_at == clock()
    assert sum(t.minutes for t in uow.fake_loans.ledger) == 2 * HALF_DAY_MINUTES


async def test_only_the_agent_lent_answers_the_agent_questionnaire(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    loan_id = await agreed_loan(uow)  # the agent is "agent-1"
    borrower = actor(BORROWER.siren, "elected")
    _, session_id = await sessions.schedule(uow, borrower, loan_id, TWO[0])
    clock.set(datetime.combine(TWO[0].day, datetime.min.time(), PARIS) + timedelta(hours=18))
    await sessions.record_held(uow, borrower, loan_id, session_id)
    await sessions.complete(uow, borrower, loan_id, BORROWER_ANSWERS)

    with pytest.raises(ForbiddenError):
        await sessions.give_feedback(
            uow,
            actor(LENDER.siren, "agent", person="someone-else"),
            loan_id,
            Respondent.AGENT,
            AGENT_ANSWERS,
        )
    record = await sessions.give_feedback(
        uow,
        actor(LENDER.siren, "agent", person="agent-1"),
        loan_id,
        Respondent.AGENT,
        AGENT_ANSWERS,
    )

    assert set(record.loan.feedback) == {Respondent.BORROWER, Respondent.AGENT}


async def test_cancelling_a_session_frees_the_agent_s_half_day(uow: FakeUnitOfWork) -> None:
    loan_id = await agreed_loan(uow)
    borrower = actor(BORROWER.siren, "elected")
    _, session_id = await sessions.schedule(uow, borrower, loan_id, TWO[0])

    record = await sessions.cancel(uow, borrower, loan_id, session_id, "Conseil municipal.")
    _, again = await sessions.schedule(uow, borrower, loan_id, TWO[0])

    assert record.loan.session(session_id).status is SessionStatus.CANCELLED
    assert record.places[session_id].sequence == 1  # calendars must drop it
    assert uow.routing_keys()[-3:] == [
        "session.cancelled.v1",
        "session.scheduled.v1",
        "loan.action_requested.v1",
    ]
    assert again != session_id
