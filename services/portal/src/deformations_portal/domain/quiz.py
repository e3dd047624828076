"""The self-diagnosis quiz as the portal shows it to a signed-in person: the questionnaire is
diagnosis's data (``GET /v1/questionnaires/current``); here, the posted form becomes
answers, and what diagnosis would refuse is told in French before anything is sent.

The rules mirror diagnosis's ``submission_problems`` (diagnosis still checks: it is the one
that scores); the messages name the question, as a person reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    item: str
    message: str


def items_by_section(questionnaire: Mapping[str, Any]) -> list[tuple[dict[str, Any], list[Any]]]:
    """Each section with its items, in the questionnaire's order."""
    items = {item["id"]: item for item in questionnaire["items"]}
    return [
        (section, [items[i] for i in section["items"] if i in items])
        for section in questionnaire["sections"]
    ]


def _limit(item: Mapping[str, Any]) -> int:
    if not item.get("multiple"):
        return 1
    return int(item.get("max_choices") or len(item["options"]))


def read_answers(
    questionnaire: Mapping[str, Any], form: Mapping[str, Sequence[str]]
) -> tuple[dict[str, list[str]], list[Problem]]:
    """The answers given to each item (fields that are not items are ignored) and every
    problem, in the questionnaire's order."""
    answers: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for item in questionnaire["items"]:
        given = [v for v in form.get(item["id"], ()) if v]
        prompt = item["prompt"]
        options = {o["id"] for o in item["options"]}
        if any(v not in options for v in given):
            problems.append(
                Problem(item["id"], f"« {prompt} » : choisissez parmi les réponses proposées.")
            )
            given = [v for v in given if v in options]
        limit = _limit(item)
        if len(set(given)) > limit:
            problems.append(
                Problem(
                    item["id"],
                    f"« {prompt} » : choisissez au plus {limit} réponse{'s' if limit > 1 else ''}.",
                )
            )
        if item.get("required", True) and not given:
            problems.append(Problem(item["id"], f"« {prompt} » : choisissez une réponse."))
        if given:
            answers[item["id"]] = list(dict.fromkeys(given))
    return answers, problems
