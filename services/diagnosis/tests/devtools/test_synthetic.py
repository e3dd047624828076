"""Synthetic answers (demo, bench and calibration data) and the scoring throughput figure."""

from __future__ import annotations

from collections import Counter

from deformations_devtools.diagnosis.bench import scorings_per_second
from deformations_devtools.diagnosis.synthetic import synthetic_submissions, synthetic_team
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.scoring import score_submission
from deformations_diagnosis.domain.submission import submission_problems


def test_same_seed_same_answers(questionnaire: Questionnaire) -> None:
    assert synthetic_submissions(questionnaire, 20, seed=9) == synthetic_submissions(
        questionnaire, 20, seed=9
    )
    assert synthetic_submissions(questionnaire, 20, seed=9) != synthetic_submissions(
        questionnaire, 20, seed=10
    )


def test_synthetic_submissions_are_valid_and_mostly_land_in_their_family(
    questionnaire: Questionnaire,
) -> None:
    panel = synthetic_submissions(questionnaire, 140, seed=1)
    assert all(not submission_problems(questionnaire, s) for _, s in panel)
    hits = sum(score_submission(questionnaire, s).family == f for f, s in panel)
    assert hits / len(panel) > 0.8
    assert len(Counter(f for f, _ in panel)) == len(questionnaire.families)


def test_scorings_per_second_divides_the_count_by_the_time_spent_scoring(
    questionnaire: Questionnaire,
) -> None:
    # A clock read once before and once after the 50 scorings, 2.5 s apart: 20 per second.
    readings = iter([10.0, 12.5])
    assert scorings_per_second(questionnaire, n=50, timer=lambda: next(readings)) == 20.0
    assert next(readings, None) is None


def test_synthetic_team_gives_each_commune_its_count(questionnaire: Questionnaire) -> None:
    team = synthetic_team(questionnaire, ["91471", "91272"], [4, 2], seed=1)
    assert {k: len(v) for k, v in team.items()} == {"91471": 4, "91272": 2}
    assert team == synthetic_team(questionnaire, ["91471", "91272"], [4, 2], seed=1)
