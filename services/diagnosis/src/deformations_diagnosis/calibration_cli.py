"""Typology calibration command.

    python -m deformations_diagnosis.calibration_cli --database-url postgresql://…/db
    python -m deformations_diagnosis.calibration_cli < responses.jsonl

Synthetic answers, for a try without data, come from the development tools:
``python -m deformations_devtools.diagnosis.synthetic 500 | python -m …calibration_cli``.

Scores the responses to one questionnaire version and prints the calibration report as
JSON: how well the families separate them and which items discriminate. From the database
it reads the service's ``responses`` table (answers only, never who answered); from stdin,
one submission per line (``{"questionnaire_version": …, "answers": {…}}``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable

from deformations_common import db
from deformations_diagnosis.content.loader import CURRENT_VERSION, load_questionnaire
from deformations_diagnosis.domain.calibration import (
    CalibrationReport,
    calibrate,
    report_for_answers,
)
from deformations_diagnosis.domain.submission import Submission, validate_submission
from deformations_diagnosis.repositories.responses import ResponseRepository


def report_for(lines: Iterable[str], version: str, seed: int = 0) -> CalibrationReport:
    q = load_questionnaire(version)
    responses = [
        validate_submission(q, Submission.model_validate_json(line))
        for line in lines
        if line.strip()
    ]
    return calibrate(q, responses, seed=seed)


async def answers_from_database(
    url: str, schema: str, version: str, limit: int
) -> list[dict[str, list[str]]]:
    pool = await db.create_pool(url, schema, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            return await ResponseRepository(conn).answers_of_version(version, limit)
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Calibrate the families of a questionnaire.")
    parser.add_argument("--version", default=CURRENT_VERSION)
    parser.add_argument("--database-url", help="read the responses of the diagnosis service")
    parser.add_argument("--schema", default="diagnosis", help="the service's DB schema")
    parser.add_argument("--limit", type=int, default=20_000, help="latest N responses")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    q = load_questionnaire(args.version)
    try:
        if args.database_url:
            answers = asyncio.run(
                answers_from_database(args.database_url, args.schema, q.version, args.limit)
            )
            report = report_for_answers(q, answers, args.seed)
        else:
            report = report_for(sys.stdin, q.version, args.seed)
    except ValueError as exc:
        print(f"calibration impossible: {exc}", file=sys.stderr)
        return 1
    print(report.model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
