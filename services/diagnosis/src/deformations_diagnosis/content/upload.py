"""An operator's upload of a questionnaire version: its YAML text checked against the file
format (the models ``schema.json`` is generated from, with their rules), every problem
told in French with where it is, so one upload shows everything to fix."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from deformations_contracts.catalogue import load_catalogue
from deformations_diagnosis.content.model import Questionnaire, RuleBroken

# A questionnaire file is a few dozen kilobytes (the shipped one 31 kB); far more is a
# mistake, not a version. Bounded so that any text of this length, JSON-escaped (up to 12
# bytes a character), stays under the services' body limit (1 MiB): a 422, never a 413.
MAX_SOURCE_CHARS = 80_000
# An upload full of mistakes is not helped by a list of hundreds.
MAX_PROBLEMS = 30

_MESSAGES = {
    "missing": "champ obligatoire absent",
    "extra_forbidden": "champ inconnu du format",
    "string_type": "doit être un texte",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "bool_type": "doit valoir true ou false",
    "bool_parsing": "doit valoir true ou false",
    "dict_type": "doit être une table (clé : valeur)",
    "list_type": "doit être une liste",
    "tuple_type": "doit être une liste",
    "model_type": "doit être une table de champs",
    "model_attributes_type": "doit être une table de champs",
}


def check_source(source: str) -> tuple[Questionnaire | None, list[str]]:
    """The questionnaire ``source`` describes, or ``None`` and every problem in French."""
    if not source.strip():
        return None, ["Le fichier est vide."]
    if len(source) > MAX_SOURCE_CHARS:
        return None, [f"Le fichier dépasse {MAX_SOURCE_CHARS} caractères."]
    try:
        raw = yaml.safe_load(source)
    except yaml.YAMLError as error:
        return None, [_yaml_problem(error)]
    if not isinstance(raw, dict):
        return None, ["Le fichier doit décrire un questionnaire : une table de champs YAML."]
    try:
        checked = Questionnaire.model_validate(raw)
    except ValidationError as error:
        problems = list(dict.fromkeys(_french(e) for e in error.errors()))
        return None, problems[:MAX_PROBLEMS]
    problems = _unknown_recipes(checked)
    return (None, problems) if problems else (checked, [])


def _unknown_recipes(questionnaire: Questionnaire) -> list[str]:
    """A next step points to a recipe or idea of the booklet's catalogue, as shipped."""
    catalogue = load_catalogue()
    problems = []
    for number, fmt in enumerate(questionnaire.formats, start=1):
        try:
            catalogue.find(fmt.recipe_code)
        except KeyError:
            problems.append(
                f"formats › n° {number} › recipe_code : « {fmt.recipe_code} » n'est pas une "
                "recette du catalogue."
            )
    return problems


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    what = getattr(error, "problem", None) or "syntaxe non valable"
    where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark is not None else ""
    return f"Le YAML ne se lit pas{where} : {what}."


def _where(loc: tuple[int | str, ...]) -> str:
    parts = [f"n° {p + 1}" if isinstance(p, int) else str(p) for p in loc]
    return " › ".join(parts) or "questionnaire"


def _french(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    where = _where(tuple(error["loc"]))
    cause = ctx.get("error")
    if isinstance(cause, RuleBroken):
        return f"{where} : {cause.french}."
    if kind in _MESSAGES:
        return f"{where} : {_MESSAGES[kind]}."
    if kind == "string_pattern_mismatch":
        return f"{where} : forme non valable (attendue : {ctx.get('pattern')})."
    if kind == "too_short":
        return f"{where} : il en faut au moins {ctx.get('min_length')}."
    if kind == "too_long":
        return f"{where} : il en faut au plus {ctx.get('max_length')}."
    if kind == "greater_than_equal":
        return f"{where} : doit valoir au moins {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"{where} : doit valoir au plus {ctx.get('le')}."
    if kind == "enum":
        return f"{where} : valeur inconnue (attendue parmi {ctx.get('expected')})."
    return f"{where} : valeur non valable ({error['msg']})."
