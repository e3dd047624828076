"""In-process throughput of the scoring, for ``make bench``."""

from __future__ import annotations

import time
from collections.abc import Callable

from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.scoring import score_submission


def scorings_per_second(
    q: Questionnaire | None = None,
    n: int = 2000,
    seed: int = 0,
    timer: Callable[[], float] = time.perf_counter,
) -> float:
    """Validate and score ``n`` synthetic submissions; returns scorings per second."""
    q = q or load_questionnaire()
    submissions = [s for _, s in synthetic_submissions(q, n, seed)]
    score_submission(q, submissions[0])  # warm caches (catalogue, axis ranges)
    start = timer()
    for submission in submissions:
        score_submission(q, submission)
    return n / (timer() - start)


def main() -> None:
    print(f"diagnosis scoring: {scorings_per_second():.0f} scorings/s (in process, one core)")


if __name__ == "__main__":
    main()
