"""The read model, from events: each event's facts recorded, or its thing's fact removed."""

from __future__ import annotations

from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanCompleted
from deformations_contracts.events.sessions import SessionCancelled, SessionScheduled
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EvaluationAnswered,
)
from deformations_statistics.domain import facts
from deformations_statistics.domain.indicators import Indicator
from deformations_statistics.service.uow import StatisticsUow


async def diagnosis_completed(uow: StatisticsUow, event: DiagnosisCompleted) -> None:
    await uow.facts.record(facts.from_diagnosis(event, uow.places), uow.now())


async def team_updated(uow: StatisticsUow, event: DiagnosisTeamUpdated) -> None:
    await uow.facts.record(facts.from_team(event, uow.places), uow.now())


async def loan_completed(uow: StatisticsUow, event: LoanCompleted) -> None:
    await uow.facts.record(facts.from_loan(event, uow.places), uow.now())


async def session_scheduled(uow: StatisticsUow, event: SessionScheduled) -> None:
    await uow.facts.record(facts.from_session(event, uow.places), uow.now())


async def session_cancelled(uow: StatisticsUow, event: SessionCancelled) -> None:
    await uow.facts.remove(Indicator.MEETINGS, str(event.session_id))


async def enrolled(uow: StatisticsUow, event: EnrolmentConfirmed | EnrolmentPromoted) -> None:
    await uow.facts.record(facts.from_enrolment(event, uow.places), uow.now())


async def enrolment_cancelled(uow: StatisticsUow, event: EnrolmentCancelled) -> None:
    await uow.facts.remove(Indicator.ENROLMENTS, str(event.enrolment_id))


async def evaluation_answered(uow: StatisticsUow, event: EvaluationAnswered) -> None:
    await uow.facts.record(facts.from_evaluation(event, uow.places), uow.now())
