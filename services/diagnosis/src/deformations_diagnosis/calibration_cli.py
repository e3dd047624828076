"""Typology calibration command.

    python -m deformations_diagnosis.calibration_cli < responses.jsonl
    python -m deformations_diagnosis.calibration_cli --synthetic 500 --seed 1

Reads one submission per line (``{"questionnaire_version": …, "answers": {…}}``), scores
them and prints the calibration report as JSON. The service layer exports shared responses
of a campaign to that format.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from deformations_diagnosis.content.loader import CURRENT_VERSION, load_questionnaire
from deformations_diagnosis.domain.calibration import CalibrationReport, calibrate
from deformations_diagnosis.domain.submission import Submission, validate_submission
from deformations_diagnosis.domain.synthetic import synthetic_submissions


def report_for(lines: Iterable[str], version: str, seed: int = 0) -> CalibrationReport:
    q = load_questionnaire(version)
    responses = [
        validate_submission(q, Submission.model_validate_json(line))
        for line in lines
        if line.strip()
    ]
    return calibrate(q, responses, seed=seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Calibrate the families of a questionnaire.")
    parser.add_argument("--version", default=CURRENT_VERSION)
    parser.add_argument("--synthetic", type=int, default=0, help="use N synthetic responses")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.synthetic:
        q = load_questionnaire(args.version)
        lines: Iterable[str] = (
            s.model_dump_json() for _, s in synthetic_submissions(q, args.synthetic, args.seed)
        )
    else:
        lines = sys.stdin
    print(report_for(lines, args.version, args.seed).model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
