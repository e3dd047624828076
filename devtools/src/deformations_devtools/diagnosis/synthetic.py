"""A seeded generator of plausible answer sets, for demos, calibration checks and benchmarks.

Each synthetic respondent leans towards one family: answers whose weights point towards
that family's centroid are likelier (softmax with ``sharpness``); the rest is random.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from deformations_diagnosis.content.model import Item, ItemRole, Questionnaire
from deformations_diagnosis.domain.submission import Submission


def _lean(item: Item, centroid: dict[str, float], sharpness: float, rng: random.Random) -> str:
    scores = [
        sum(w * (centroid[a] - 50) / 50 for a, w in option.weights.items())
        for option in item.options
    ]
    top = max(scores)
    weights = [math.exp(sharpness * (s - top)) for s in scores]
    return rng.choices([o.id for o in item.options], weights=weights)[0]


def synthetic_submission(
    q: Questionnaire, rng: random.Random, family: str | None = None, sharpness: float = 2.0
) -> tuple[str, Submission]:
    """One respondent: the family they lean to and their complete submission."""
    target = q.family(family) if family else rng.choice(q.families)
    answers: dict[str, tuple[str, ...]] = {}
    for item in q.items:
        if item.role is ItemRole.AXES:
            answers[item.id] = (_lean(item, target.centroid, sharpness, rng),)
        elif item.role is ItemRole.PRIORITY_THEMES:
            liked = [o.id for o in item.options if set(o.themes) & set(target.themes)]
            pool = liked + [o.id for o in item.options]
            picked: list[str] = []
            for _ in range(rng.randint(1, item.limit)):
                choice = rng.choice(pool)
                if choice not in picked:
                    picked.append(choice)
            answers[item.id] = tuple(picked)
        elif item.multiple:
            answers[item.id] = tuple(
                sorted(rng.sample([o.id for o in item.options], rng.randint(1, item.limit)))
            )
        else:
            answers[item.id] = (rng.choice(item.options).id,)
    return target.code, Submission(questionnaire_version=q.version, answers=answers)


def synthetic_submissions(
    q: Questionnaire, n: int, seed: int = 0, sharpness: float = 2.0
) -> list[tuple[str, Submission]]:
    rng = random.Random(seed)
    return [synthetic_submission(q, rng, sharpness=sharpness) for _ in range(n)]


def synthetic_team(
    q: Questionnaire, communes: Sequence[str], per_commune: Sequence[int], seed: int = 0
) -> dict[str, list[Submission]]:
    """Submissions for the communes of an intercommunality (demo data), by INSEE code."""
    rng = random.Random(seed)
    return {
        insee: [synthetic_submission(q, rng)[1] for _ in range(count)]
        for insee, count in zip(communes, per_commune, strict=True)
    }


def main(argv: list[str] | None = None) -> int:
    """Print N synthetic submissions, one JSON line each, for the calibration command:

    python -m deformations_devtools.diagnosis.synthetic 500 --seed 1 \\
        | python -m deformations_diagnosis.calibration_cli --seed 1
    """
    import argparse

    from deformations_diagnosis.content.loader import CURRENT_VERSION, load_questionnaire

    parser = argparse.ArgumentParser(description="Synthetic answers to a questionnaire.")
    parser.add_argument("count", type=int)
    parser.add_argument("--version", default=CURRENT_VERSION)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    q = load_questionnaire(args.version)
    for _, submission in synthetic_submissions(q, args.count, args.seed):
        print(submission.model_dump_json())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
