"""Queries of the questionnaire versions (shipped content: no unit of work needed)."""

from __future__ import annotations

from dataclasses import dataclass

from deformations_diagnosis.content.loader import (
    CURRENT_VERSION,
    UnknownQuestionnaireVersionError,
    available_versions,
    load_questionnaire,
)
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.errors import QuestionnaireNotFoundError, UnknownVersionError


@dataclass(frozen=True)
class Versions:
    current: str
    available: tuple[str, ...]


def versions() -> Versions:
    return Versions(CURRENT_VERSION, available_versions())


def questionnaire(version: str) -> Questionnaire:
    """The version a command names (a submission, a campaign): 422 when unknown."""
    try:
        return load_questionnaire(version)
    except UnknownQuestionnaireVersionError as exc:
        raise UnknownVersionError(version) from exc


def published(version: str) -> Questionnaire:
    """A version asked for by its address, current or past: 404 when unknown."""
    if version not in available_versions():
        raise QuestionnaireNotFoundError(version)
    return load_questionnaire(version)
