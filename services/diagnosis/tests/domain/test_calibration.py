from __future__ import annotations

import numpy as np
import pytest

from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.calibration_cli import report_for
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.calibration import (
    adjusted_rand_index,
    calibrate,
    cramers_v,
    kmeans,
    silhouette,
)
from deformations_diagnosis.domain.submission import ValidAnswers, validate_submission


def _panel(q: Questionnaire, n: int, seed: int, sharpness: float = 2.0) -> list[ValidAnswers]:
    return [validate_submission(q, s) for _, s in synthetic_submissions(q, n, seed, sharpness)]


def test_families_separate_on_family_shaped_data(questionnaire: Questionnaire) -> None:
    report = calibrate(questionnaire, _panel(questionnaire, 350, seed=11))
    assert report.respondents == 350
    assert report.empty_families == ()
    assert report.silhouette_families > 0.3
    assert report.agreement > 0.7
    assert {c.nearest_family for c in report.clusters} == {f.code for f in questionnaire.families}
    assert len(report.items) == 16
    assert report.items[0].cramers_v >= report.items[-1].cramers_v > 0.2


def test_random_answers_separate_less_well(questionnaire: Questionnaire) -> None:
    shaped = calibrate(questionnaire, _panel(questionnaire, 300, seed=5))
    noisy = calibrate(questionnaire, _panel(questionnaire, 300, seed=5, sharpness=0.0))
    assert noisy.silhouette_families < shaped.silhouette_families
    assert noisy.items[0].cramers_v < shaped.items[0].cramers_v


def test_calibration_is_deterministic(questionnaire: Questionnaire) -> None:
    panel = _panel(questionnaire, 120, seed=3)
    assert calibrate(questionnaire, panel) == calibrate(questionnaire, panel)


def test_too_few_responses_are_refused(questionnaire: Questionnaire) -> None:
    with pytest.raises(ValueError, match="at least"):
        calibrate(questionnaire, _panel(questionnaire, 5, seed=1))


def test_statistics_on_known_cases() -> None:
    labels = np.array([0, 0, 1, 1, 2, 2], dtype=np.int64)
    assert adjusted_rand_index(labels, labels) == pytest.approx(1.0)
    assert adjusted_rand_index(
        labels, np.array([5, 5, 3, 3, 9, 9], dtype=np.int64)
    ) == pytest.approx(1.0)
    assert cramers_v(["a", "a", "b", "b"], ["x", "x", "y", "y"]) == pytest.approx(1.0)
    assert cramers_v(["a", "b", "a", "b"], ["x", "x", "y", "y"]) == pytest.approx(0.0)
    points = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]])
    two = np.array([0, 0, 1, 1], dtype=np.int64)
    assert silhouette(points, two) > 0.9
    assert silhouette(points, np.zeros(4, dtype=np.int64)) == 0.0
    found, _ = kmeans(points, np.array([[1.0, 1.0], [9.0, 9.0]]))
    assert found.tolist() == [0, 0, 1, 1]


def test_the_command_reads_submissions_as_json_lines(questionnaire: Questionnaire) -> None:
    lines = [s.model_dump_json() for _, s in synthetic_submissions(questionnaire, 40, seed=8)]
    report = report_for([*lines, ""], questionnaire.version)
    assert report.respondents == 40
