"""A person's diagnoses over time, over a fake unit of work: hers only, newest first, progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.domain.history import STEADY_POINTS
from deformations_diagnosis.service.responses import history, submit

from .fakes import FakeUnitOfWork

Q = load_questionnaire()
ANSWERS = [
    {k: list(v) for k, v in s.answers.items()} for _, s in synthetic_submissions(Q, 6, seed=11)
]


async def test_her_responses_come_newest_first_with_the_progress_of_the_last_two() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    uow = FakeUnitOfWork(clock)
    given = []
    for n, who in enumerate(["elue-1", None, "elue-2", "elue-1"]):
        submitted = await submit(
            uow, submission_id=uuid4(), version=Q.version, answers=ANSWERS[n], person_id=who
        )
        given.append(submitted)
        clock.advance(timedelta(days=30))

    found = await history(uow, "elue-1")

    assert [r.response_id for r in found.responses] == [given[3].response_id, given[0].response_id]
    newest, older = found.responses
    assert newest.completed_at - older.completed_at == timedelta(days=90)
    families = {f.code: f.name for f in Q.families}
    assert newest.summary.family_name == families[given[3].result.family]
    assert [a.code for a in newest.summary.axes] == [a.code for a in Q.axes]
    assert [a.score for a in newest.summary.axes] == [
        round(given[3].result.axis_scores[a.code], 1) for a in Q.axes
    ]
    assert found.progress is not None
    assert found.progress.since == older.completed_at
    for axis in found.progress.axes:
        before = round(given[0].result.axis_scores[axis.code], 1)
        after = round(given[3].result.axis_scores[axis.code], 1)
        assert (axis.before, axis.after) == (before, after)
        assert axis.change == round(after - before, 1)
        assert (axis.direction == "stable") == (abs(axis.change) < STEADY_POINTS)
    old = set(given[0].result.priority_themes)
    new = set(given[3].result.priority_themes)
    assert {t.code for t in found.progress.themes_added} == new - old
    assert {t.code for t in found.progress.themes_dropped} == old - new
    assert {t.code for t in found.progress.themes_kept} == new & old


async def test_one_response_has_no_progress_and_a_stranger_has_none() -> None:
    uow = FakeUnitOfWork(ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
    await submit(uow, submission_id=uuid4(), version=Q.version, answers=ANSWERS[0], person_id="a")
    alone = await history(uow, "a")
    assert len(alone.responses) == 1 and alone.progress is None
    nobody = await history(uow, "b")
    assert nobody.responses == [] and nobody.progress is None
