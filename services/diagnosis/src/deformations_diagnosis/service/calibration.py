"""The typology calibration report, for operators."""

from __future__ import annotations

import asyncio

from deformations_common.auth import Principal
from deformations_diagnosis.domain.access import check_may_calibrate
from deformations_diagnosis.domain.calibration import (
    MIN_RESPONSES,
    CalibrationReport,
    report_for_answers,
)
from deformations_diagnosis.domain.errors import NotEnoughForCalibrationError
from deformations_diagnosis.service.questionnaires import named
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork

MAX_RESPONSES = 2000


async def calibration_report(
    uow: DiagnosisUnitOfWork, principal: Principal, version: str
) -> CalibrationReport:
    """How well the families separate the collected responses of a version, and which
    items discriminate: aggregates only, from the latest 2000 responses."""
    check_may_calibrate(principal.roles)
    q = await named(uow, version)
    answers = await uow.responses.answers_of_version(q.version, MAX_RESPONSES)
    if len(answers) < MIN_RESPONSES:
        raise NotEnoughForCalibrationError(len(answers), MIN_RESPONSES)
    # CPU-bound (k-means, silhouette): off the event loop.
    return await asyncio.to_thread(report_for_answers, q, answers)
