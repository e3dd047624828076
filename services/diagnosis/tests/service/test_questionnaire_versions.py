"""Questionnaire versions over a fake unit of work: an operator uploads, previews and
publishes; a published version becomes current and never changes; bad files store nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from deformations_common.auth import Principal
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.diagnosis.versions import new_version_source
from deformations_diagnosis.content.loader import CURRENT_VERSION, load_questionnaire
from deformations_diagnosis.domain.access import RoleRequiredError
from deformations_diagnosis.domain.errors import (
    AlreadyPublishedError,
    InvalidQuestionnaireError,
    QuestionnaireNotFoundError,
    VersionTakenError,
)
from deformations_diagnosis.service import questionnaires, responses

from ..conftest import first_options  # noqa: TID252 (shared helpers)
from .fakes import FakeUnitOfWork

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OPERATOR = Principal(sub="op", roles=frozenset({"operator"}))
TRAINER = Principal(sub="trainer", roles=frozenset({"trainer"}))
# Versions of these tests only: the process keeps what it learnt was published.
DRAFT = "2031-01-v1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def uow(clock: ManualClock) -> FakeUnitOfWork:
    return FakeUnitOfWork(clock)


async def test_a_draft_is_previewed_but_not_served_until_published(uow: FakeUnitOfWork) -> None:
    line = await questionnaires.upload(uow, OPERATOR, new_version_source(DRAFT, "Brouillon"))
    assert (line.version, line.published, line.current) == (DRAFT, False, False)
    assert (await questionnaires.current(uow)).version == CURRENT_VERSION
    with pytest.raises(QuestionnaireNotFoundError):
        await questionnaires.published(uow, DRAFT)
    shown = await questionnaires.preview(uow, OPERATOR, DRAFT)
    assert shown.questionnaire.title == "Brouillon"
    # Corrected and uploaded again under its version: the draft is replaced.
    await questionnaires.upload(uow, OPERATOR, new_version_source(DRAFT, "Brouillon corrigé"))
    shown = await questionnaires.preview(uow, OPERATOR, DRAFT)
    assert shown.questionnaire.title == "Brouillon corrigé"
    listed = [v.version for v in await questionnaires.catalogue(uow, OPERATOR)]
    assert listed == [DRAFT, CURRENT_VERSION]


async def test_a_published_version_is_current_and_old_results_keep_theirs(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    version = "2031-02-v1"
    old = await responses.submit(
        uow,
        submission_id=uuid4(),
        version=CURRENT_VERSION,
        answers=first_options(await questionnaires.current(uow)),
        person_id="elue",
    )
    clock.advance(timedelta(days=1))
    await questionnaires.upload(uow, OPERATOR, new_version_source(version))
    published = await questionnaires.publish(uow, OPERATOR, version)
    assert (published.published, published.current) == (True, True)
    current = await questionnaires.current(uow)
    assert current.version == version
    new = await responses.submit(
        uow,
        submission_id=uuid4(),
        version=version,
        answers=first_options(current),
        person_id="elue",
    )
    assert new.result.questionnaire_version == version
    history = await responses.history(uow, "elue")
    assert [r.questionnaire_version for r in history.responses] == [version, CURRENT_VERSION]
    again = await responses.response(uow, old.response_id)
    assert again.questionnaire_version == CURRENT_VERSION
    versions = await questionnaires.versions(uow)
    assert versions.current == version
    assert {version, CURRENT_VERSION} <= set(versions.available)
    with pytest.raises(AlreadyPublishedError):
        await questionnaires.publish(uow, OPERATOR, version)
    with pytest.raises(VersionTakenError):
        await questionnaires.upload(uow, OPERATOR, new_version_source(version, "Autre"))


async def test_a_bad_file_is_refused_with_every_problem_and_nothing_stored(
    uow: FakeUnitOfWork,
) -> None:
    broken = (
        new_version_source("2031-03-v1")
        .replace("min_collective_responses: 3", "min_collective_responses: 2")
        .replace("  - code: vision\n", "  - code: Vision\n", 1)
    )
    with pytest.raises(InvalidQuestionnaireError) as refused:
        await questionnaires.upload(uow, OPERATOR, broken)
    problems = refused.value.problems
    assert "min_collective_responses : doit valoir au moins 3." in problems
    assert any(p.startswith("axes › n° 1 › code : forme non valable") for p in problems)
    assert refused.value.status == 422
    assert uow.questionnaire_versions.rows == {}
    with pytest.raises(InvalidQuestionnaireError) as unreadable:
        await questionnaires.upload(uow, OPERATOR, "version: [2031")
    assert unreadable.value.problems[0].startswith("Le YAML ne se lit pas (ligne 1")
    assert uow.questionnaire_versions.rows == {}


async def test_a_next_step_must_point_to_a_recipe_of_the_catalogue(uow: FakeUnitOfWork) -> None:
    source = new_version_source("2031-03-v2")
    code = load_questionnaire(CURRENT_VERSION).formats[0].recipe_code
    with pytest.raises(InvalidQuestionnaireError) as refused:
        await questionnaires.upload(uow, OPERATOR, source.replace(code, "t03_pas_une_recette"))
    assert any("« t03_pas_une_recette » n'est pas une recette" in p for p in refused.value.problems)
    assert uow.questionnaire_versions.rows == {}


async def test_the_shipped_version_cannot_be_uploaded_again(uow: FakeUnitOfWork) -> None:
    with pytest.raises(VersionTakenError):
        await questionnaires.upload(uow, OPERATOR, new_version_source(CURRENT_VERSION))
    with pytest.raises(AlreadyPublishedError):
        await questionnaires.publish(uow, OPERATOR, CURRENT_VERSION)
    with pytest.raises(QuestionnaireNotFoundError):
        await questionnaires.publish(uow, OPERATOR, "2031-04-v1")


async def test_only_operators_edit_questionnaires(uow: FakeUnitOfWork) -> None:
    with pytest.raises(RoleRequiredError):
        await questionnaires.upload(uow, TRAINER, new_version_source("2031-05-v1"))
    with pytest.raises(RoleRequiredError):
        await questionnaires.catalogue(uow, TRAINER)
    with pytest.raises(RoleRequiredError):
        await questionnaires.publish(uow, TRAINER, "2031-05-v1")
    assert uow.questionnaire_versions.rows == {}
