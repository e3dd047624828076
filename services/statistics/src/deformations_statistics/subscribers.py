"""Events the statistics read: one use case each, every one batchable (writes only)."""

from __future__ import annotations

from deformations_common.consumer import EventContext, EventHandlers
from deformations_common.db import Connection
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanCompleted
from deformations_contracts.events.sessions import SessionCancelled, SessionScheduled
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EvaluationAnswered,
)
from deformations_statistics.service import recording
from deformations_statistics.service.uow import StatisticsUow
from deformations_statistics.settings import StatisticsSettings

Context = EventContext[StatisticsSettings]
handlers = EventHandlers("statistics")


@handlers.on(DiagnosisCompleted, batchable=True)
async def on_diagnosis(event: DiagnosisCompleted, ctx: Context, conn: Connection) -> None:
    await recording.diagnosis_completed(ctx.unit_of_work(StatisticsUow, conn), event)


@handlers.on(DiagnosisTeamUpdated, batchable=True)
async def on_team(event: DiagnosisTeamUpdated, ctx: Context, conn: Connection) -> None:
    await recording.team_updated(ctx.unit_of_work(StatisticsUow, conn), event)


@handlers.on(LoanCompleted, batchable=True)
async def on_loan(event: LoanCompleted, ctx: Context, conn: Connection) -> None:
    await recording.loan_completed(ctx.unit_of_work(StatisticsUow, conn), event)


@handlers.on(SessionScheduled, batchable=True)
async def on_session(event: SessionScheduled, ctx: Context, conn: Connection) -> None:
    await recording.session_scheduled(ctx.unit_of_work(StatisticsUow, conn), event)


@handlers.on(SessionCancelled, batchable=True)
async def on_session_cancelled(event: SessionCancelled, ctx: Context, conn: Connection) -> None:
    await recording.session_cancelled(ctx.unit_of_work(StatisticsUow, conn), event)


@handlers.on(EnrolmentConfirmed, batchable=True)
async def on_enrolled(event: EnrolmentConfirmed, ctx: Context, conn: Connection) -> None:
    await recording.enrolled(ctx.unit_of_work(StatisticsUow, conn), event)


@handlers.on(EnrolmentPromoted, batchable=True)
async def on_promoted(event: EnrolmentPromoted, ctx: Context, conn: Connection) -> None:
    await recording.enrolled(ctx.unit_of_work(StatisticsUow, conn), event)


@handlers.on(EnrolmentCancelled, batchable=True)
async def on_enrolment_cancelled(event: EnrolmentCancelled, ctx: Context, conn: Connection) -> None:
    await recording.enrolment_cancelled(ctx.unit_of_work(StatisticsUow, conn), event)


@handlers.on(EvaluationAnswered, batchable=True)
async def on_evaluation(event: EvaluationAnswered, ctx: Context, conn: Connection) -> None:
    await recording.evaluation_answered(ctx.unit_of_work(StatisticsUow, conn), event)
