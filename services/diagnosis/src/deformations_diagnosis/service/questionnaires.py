"""Questionnaire versions: the shipped files and the versions operators upload and publish.

The current version is the newest one an operator published, else the shipped default. A
use case that reads a version someone names (a submission, a campaign, a stored result)
first calls :func:`refresh`: another replica may have published it since this process
last looked, and a published version is read from the database once, then kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from deformations_common.auth import Principal
from deformations_diagnosis.content.loader import (
    CURRENT_VERSION,
    UnknownQuestionnaireVersionError,
    available_versions,
    load_questionnaire,
    parse_questionnaire,
    remember_published,
    shipped_versions,
)
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.content.upload import check_source
from deformations_diagnosis.domain.access import check_may_edit_questionnaires
from deformations_diagnosis.domain.errors import (
    AlreadyPublishedError,
    InvalidQuestionnaireError,
    QuestionnaireNotFoundError,
    UnknownVersionError,
    VersionTakenError,
)
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork


@dataclass(frozen=True)
class Versions:
    current: str
    available: tuple[str, ...]


async def refresh(uow: DiagnosisUnitOfWork) -> str:
    """Learn the versions published since this process last looked; the current version."""
    found = await uow.questionnaire_versions.published(available_versions())
    for published_version in found:
        if published_version.source is not None:
            remember_published(parse_questionnaire(published_version.source))
    return found[-1].version if found else CURRENT_VERSION


async def versions(uow: DiagnosisUnitOfWork) -> Versions:
    current = await refresh(uow)
    return Versions(current, available_versions())


async def current(uow: DiagnosisUnitOfWork) -> Questionnaire:
    """The questionnaire new responses answer."""
    return load_questionnaire(await refresh(uow))


def questionnaire(version: str) -> Questionnaire:
    """The version a command names (a submission, a campaign): 422 when unknown.

    Call :func:`refresh` first in the same use case."""
    try:
        return load_questionnaire(version)
    except UnknownQuestionnaireVersionError as exc:
        raise UnknownVersionError(version) from exc


async def named(uow: DiagnosisUnitOfWork, version: str) -> Questionnaire:
    """:func:`questionnaire`, refreshed first."""
    await refresh(uow)
    return questionnaire(version)


async def published(uow: DiagnosisUnitOfWork, version: str) -> Questionnaire:
    """A version asked for by its address, current or past: 404 when unknown (or a draft)."""
    await refresh(uow)
    if version not in available_versions():
        raise QuestionnaireNotFoundError(version)
    return load_questionnaire(version)


# -- Operators: upload, preview, publish ----------------------------------------------------


@dataclass(frozen=True)
class VersionLine:
    """One version as the operators' list shows it."""

    version: str
    title: str
    shipped: bool
    published: bool
    current: bool
    uploaded_at: datetime | None = None
    published_at: datetime | None = None


async def catalogue(uow: DiagnosisUnitOfWork, principal: Principal) -> list[VersionLine]:
    """Every version, drafts included: uploaded ones newest first, then the shipped ones."""
    check_may_edit_questionnaires(principal.roles)
    now_current = await refresh(uow)
    stored = await uow.questionnaire_versions.listing()
    lines = [
        VersionLine(
            s.version,
            s.title,
            shipped=False,
            published=s.published,
            current=s.version == now_current,
            uploaded_at=s.uploaded_at,
            published_at=s.published_at,
        )
        for s in stored
    ]
    for version in sorted(shipped_versions(), reverse=True):
        lines.append(
            VersionLine(
                version,
                load_questionnaire(version).title,
                shipped=True,
                published=True,
                current=version == now_current,
            )
        )
    return lines


async def upload(uow: DiagnosisUnitOfWork, principal: Principal, source: str) -> VersionLine:
    """Check a questionnaire file and store it as a draft of its version (an earlier draft
    of that version is replaced); nothing is stored when anything is wrong."""
    check_may_edit_questionnaires(principal.roles)
    checked, problems = check_source(source)
    if checked is None:
        raise InvalidQuestionnaireError(problems)
    if checked.version in shipped_versions():
        raise VersionTakenError(checked.version)
    now = uow.now()
    saved = await uow.questionnaire_versions.save_draft(
        checked.version, checked.title, source, principal.sub, now
    )
    if not saved:
        raise VersionTakenError(checked.version)
    return VersionLine(
        checked.version,
        checked.title,
        shipped=False,
        published=False,
        current=False,
        uploaded_at=now,
    )


@dataclass(frozen=True)
class Preview:
    questionnaire: Questionnaire
    line: VersionLine


async def preview(uow: DiagnosisUnitOfWork, principal: Principal, version: str) -> Preview:
    """Any version, a draft too, as the quiz will show it."""
    lines = {line.version: line for line in await catalogue(uow, principal)}
    line = lines.get(version)
    if line is None:
        raise QuestionnaireNotFoundError(version)
    if line.published:
        return Preview(load_questionnaire(version), line)
    source = await uow.questionnaire_versions.source(version)
    if source is None:  # removed between the two reads: there is no such thing
        raise QuestionnaireNotFoundError(version)
    return Preview(parse_questionnaire(source), line)


async def publish(uow: DiagnosisUnitOfWork, principal: Principal, version: str) -> VersionLine:
    """Make a draft the current version for new responses; published, it never changes.

    This process learns it at its next :func:`refresh`, once the publication is committed."""
    check_may_edit_questionnaires(principal.roles)
    if version in shipped_versions():
        raise AlreadyPublishedError(version)
    stored = await uow.questionnaire_versions.get(version, for_update=True)
    if stored is None:
        raise QuestionnaireNotFoundError(version)
    if stored.published:
        raise AlreadyPublishedError(version)
    now = uow.now()
    await uow.questionnaire_versions.publish(version, principal.sub, now)
    return VersionLine(
        version,
        stored.title,
        shipped=False,
        published=True,
        current=True,
        uploaded_at=stored.uploaded_at,
        published_at=now,
    )
