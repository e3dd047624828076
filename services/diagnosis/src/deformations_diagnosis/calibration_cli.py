"""Typology calibration command.

    python -m deformations_diagnosis.calibration_cli --database-url postgresql://…/db
    python -m deformations_diagnosis.calibration_cli < responses.jsonl
    python -m deformations_diagnosis.calibration_cli --synthetic 500 --seed 1

Scores the responses to one questionnaire version and prints the calibration report as
JSON: how well the families separate them and which items discriminate. From the database
it reads the service's ``responses`` table (answers only, never who answered); from stdin,
one submission per line (``{"questionnaire_version": …, "answers": {…}}``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable, Mapping, Sequence

import asyncpg

from deformations_diagnosis.content.loader import CURRENT_VERSION, load_questionnaire
from deformations_diagnosis.content.model import Questionnaire
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


def report_for_answers(
    q: Questionnaire, answers: Sequence[Mapping[str, Sequence[str]]], seed: int = 0
) -> CalibrationReport:
    """The report for stored answer sets (all valid: they were validated when stored)."""
    responses = [
        validate_submission(
            q,
            Submission(
                questionnaire_version=q.version, answers={k: tuple(v) for k, v in a.items()}
            ),
        )
        for a in answers
    ]
    return calibrate(q, responses, seed=seed)


async def answers_from_database(
    url: str, schema: str, version: str, limit: int
) -> list[dict[str, list[str]]]:
    conn = await asyncpg.connect(url, server_settings={"search_path": schema})
    try:
        rows = await conn.fetch(
            """SELECT answers::text AS answers FROM responses
               WHERE questionnaire_version = $1 ORDER BY created_at DESC LIMIT $2""",
            version,
            limit,
        )
    finally:
        await conn.close()
    return [json.loads(row["answers"]) for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Calibrate the families of a questionnaire.")
    parser.add_argument("--version", default=CURRENT_VERSION)
    parser.add_argument("--database-url", help="read the responses of the diagnosis service")
    parser.add_argument("--schema", default="diagnosis", help="the service's DB schema")
    parser.add_argument("--limit", type=int, default=20_000, help="latest N responses")
    parser.add_argument("--synthetic", type=int, default=0, help="use N synthetic responses")
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
            lines: Iterable[str] = sys.stdin
            if args.synthetic:
                lines = (
                    s.model_dump_json()
                    for _, s in synthetic_submissions(q, args.synthetic, args.seed)
                )
            report = report_for(lines, q.version, args.seed)
    except ValueError as exc:
        print(f"calibration impossible: {exc}", file=sys.stderr)
        return 1
    print(report.model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
