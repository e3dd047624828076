"""Loads the questionnaire files shipped in this package, and keeps the versions operators
published since (stored in the database, read by ``service.questionnaires``).

Files are named ``questionnaire-<version>.yaml``; every published version stays loadable so
a past response is always re-read with the questionnaire it answered.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources

import yaml

from deformations_diagnosis.content.model import Questionnaire

_PACKAGE = "deformations_diagnosis.content"
_PREFIX = "questionnaire-"
_SUFFIX = ".yaml"

CURRENT_VERSION = "2026-11-v1"


class UnknownQuestionnaireVersionError(LookupError):
    def __init__(self, version: str) -> None:
        super().__init__(f"no questionnaire version {version!r}")
        self.version = version


# Versions operators published, as this process has read them from the database. A
# published version never changes, so it is kept once read, for the process's life.
_published: dict[str, Questionnaire] = {}


@cache
def shipped_versions() -> tuple[str, ...]:
    names = (entry.name for entry in resources.files(_PACKAGE).iterdir())
    return tuple(
        sorted(
            n[len(_PREFIX) : -len(_SUFFIX)]
            for n in names
            if n.startswith(_PREFIX) and n.endswith(_SUFFIX)
        )
    )


def available_versions() -> tuple[str, ...]:
    """Every version this process can score and show: shipped or published."""
    return tuple(sorted({*shipped_versions(), *_published}))


def remember_published(questionnaire: Questionnaire) -> None:
    _published[questionnaire.version] = questionnaire


def parse_questionnaire(text: str) -> Questionnaire:
    """Validate the text of a questionnaire file."""
    return Questionnaire.model_validate(yaml.safe_load(text))


def load_questionnaire(version: str = CURRENT_VERSION) -> Questionnaire:
    published = _published.get(version)
    if published is not None:
        return published
    return _load_shipped(version)


@cache
def _load_shipped(version: str) -> Questionnaire:
    if version not in shipped_versions():
        raise UnknownQuestionnaireVersionError(version)
    text = resources.files(_PACKAGE).joinpath(f"{_PREFIX}{version}{_SUFFIX}").read_text("utf-8")
    questionnaire = parse_questionnaire(text)
    if questionnaire.version != version:
        raise ValueError(f"file of version {version} declares version {questionnaire.version}")
    return questionnaire


def questionnaire_json_schema() -> dict[str, object]:
    return Questionnaire.model_json_schema()


def main(argv: list[str] | None = None) -> int:
    """``--schema``: print the JSON Schema of questionnaire files (kept as schema.json)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--schema"]:
        print(json.dumps(questionnaire_json_schema(), ensure_ascii=False, indent=2))
        return 0
    for version in shipped_versions():
        questionnaire = load_questionnaire(version)
        print(
            f"{version}: {len(questionnaire.items)} items, {len(questionnaire.families)} families"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
