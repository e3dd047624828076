"""The calibration report over a fake unit of work: operators only, from 20 responses."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from deformations_common.auth import Principal
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.domain.access import RoleRequiredError
from deformations_diagnosis.domain.errors import NotEnoughForCalibrationError
from deformations_diagnosis.domain.submission import Submission
from deformations_diagnosis.service.calibration import calibration_report
from deformations_diagnosis.service.responses import submit

from .fakes import FakeUnitOfWork

Q = load_questionnaire()
OPERATOR = Principal(sub="op", roles=frozenset({"operator"}))


async def store(uow: FakeUnitOfWork, s: Submission) -> None:
    await submit(uow, submission_id=uuid4(), version=Q.version, answers=s.answers, person_id=None)


async def test_operators_get_the_report_once_enough_responses_are_in() -> None:
    uow = FakeUnitOfWork(ManualClock(datetime(2026, 11, 26, tzinfo=UTC)))
    panel = synthetic_submissions(Q, 24, seed=7)
    for _, s in panel[:19]:
        await submit(
            uow, submission_id=uuid4(), version=Q.version, answers=s.answers, person_id=None
        )
    with pytest.raises(NotEnoughForCalibrationError) as few:
        await calibration_report(uow, OPERATOR, Q.version)
    assert few.value.details == {"minimum": 20, "responses": 19}
    for _, s in panel[19:]:
        await submit(
            uow, submission_id=uuid4(), version=Q.version, answers=s.answers, person_id=None
        )
    report = await calibration_report(uow, OPERATOR, Q.version)
    assert report.respondents == 24
    trainer = Principal(sub="t", roles=frozenset({"trainer"}))
    with pytest.raises(RoleRequiredError):
        await calibration_report(uow, trainer, Q.version)
