"""Submitting a quiz, over a fake unit of work: what is stored, what is emitted, what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from deformations_common.auth import Principal
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.diagnosis import (
    DiagnosisCompleted,
    DiagnosisTeamUpdated,
    TeamKind,
)
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.domain.campaigns import (
    CampaignExpiredError,
    CommuneRequiredError,
    ShareWithoutCampaignError,
    UnknownCampaignError,
)
from deformations_diagnosis.domain.errors import (
    SubmissionReplayedError,
    UnknownAnswerError,
    UnknownResponseError,
)
from deformations_diagnosis.service.campaigns import open_campaign
from deformations_diagnosis.service.responses import response, submit

from .fakes import FakeUnitOfWork

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
Q = load_questionnaire()
ANSWERS = [
    {k: list(v) for k, v in s.answers.items()} for _, s in synthetic_submissions(Q, 8, seed=3)
]
TRAINER = Principal(sub="trainer-1", roles=frozenset({"trainer"}))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def uow(clock: ManualClock) -> FakeUnitOfWork:
    return FakeUnitOfWork(clock)


async def answer(uow: FakeUnitOfWork, n: int = 0, **extra: Any) -> Any:
    return await submit(
        uow, submission_id=uuid4(), version=Q.version, answers=ANSWERS[n], person_id=None, **extra
    )


async def council_campaign(uow: FakeUnitOfWork) -> str:
    view = await open_campaign(
        uow,
        TRAINER,
        team_kind=TeamKind.MUNICIPAL_COUNCIL,
        collectivite_siren="217101377",
        commune_insee=None,
        expires_at=None,
        questionnaire_version=Q.version,
        signed_in_only=False,
    )
    return view.campaign.token


async def test_a_quiz_is_stored_and_announced_at_the_clocks_time(uow: FakeUnitOfWork) -> None:
    submitted = await submit(
        uow, submission_id=uuid4(), version=Q.version, answers=ANSWERS[0], person_id="p-1"
    )
    stored = await response(uow, submitted.response_id)
    assert stored.created_at == NOW
    assert stored.person_id == "p-1"
    assert stored.result == submitted.result.model_dump(mode="json")
    [event] = uow.emitted
    assert isinstance(event, DiagnosisCompleted)
    assert (event.response_id, event.completed_at, event.person_id) == (
        submitted.response_id,
        NOW,
        "p-1",
    )
    assert event.family == submitted.result.family
    assert event.campaign_id is None


async def test_a_replayed_submission_stores_and_emits_nothing_more(uow: FakeUnitOfWork) -> None:
    submission_id = uuid4()
    first = await submit(
        uow, submission_id=submission_id, version=Q.version, answers=ANSWERS[0], person_id=None
    )
    with pytest.raises(SubmissionReplayedError) as replay:
        await submit(
            uow, submission_id=submission_id, version=Q.version, answers=ANSWERS[1], person_id=None
        )
    assert replay.value.response_id == first.response_id
    assert replay.value.status == 409
    assert len(uow.responses.rows) == 1
    assert len(uow.emitted) == 1


async def test_bad_answers_are_refused_before_anything_is_stored(uow: FakeUnitOfWork) -> None:
    answers = {**ANSWERS[0], "mandat": ["empereur"]}
    with pytest.raises(UnknownAnswerError) as refused:
        await submit(uow, submission_id=uuid4(), version=Q.version, answers=answers, person_id=None)
    assert (refused.value.status, refused.value.details["item"]) == (422, "mandat")
    assert uow.responses.rows == {}
    assert uow.emitted == []


async def test_sharing_needs_a_campaign(uow: FakeUnitOfWork) -> None:
    with pytest.raises(ShareWithoutCampaignError):
        await answer(uow, share=True)
    assert uow.responses.rows == {}


async def test_the_team_event_comes_from_the_third_shared_response(uow: FakeUnitOfWork) -> None:
    token = await council_campaign(uow)
    await answer(uow, 0, campaign_token=token, share=True)
    await answer(uow, 1, campaign_token=token, share=True)
    await answer(uow, 2, campaign_token=token, share=False)
    assert uow.of_type(DiagnosisTeamUpdated) == []
    await answer(uow, 3, campaign_token=token, share=True)
    [team] = uow.of_type(DiagnosisTeamUpdated)
    assert team.response_count == 3
    assert team.collectivite_siren == "217101377"
    assert team.updated_at == NOW
    completed = uow.of_type(DiagnosisCompleted)
    assert [e.shared_with_team for e in completed] == [True, True, False, True]
    assert {e.commune_insee for e in completed} == {"71137"}


async def test_an_unknown_or_ended_campaign_takes_no_answer(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    with pytest.raises(UnknownCampaignError):
        await answer(uow, campaign_token="x" * 24)
    token = await council_campaign(uow)
    clock.advance(timedelta(days=30))  # the default duration: over from that instant
    with pytest.raises(CampaignExpiredError) as over:
        await answer(uow, campaign_token=token)
    assert over.value.status == 410
    assert over.value.details["expired_at"] == (NOW + timedelta(days=30)).isoformat()
    assert uow.responses.rows == {}


async def test_an_intercommunality_response_needs_its_commune(uow: FakeUnitOfWork) -> None:
    view = await open_campaign(
        uow,
        TRAINER,
        team_kind=TeamKind.INTERCOMMUNALITY,
        collectivite_siren="200040293",
        commune_insee=None,
        expires_at=None,
        questionnaire_version=Q.version,
        signed_in_only=False,
    )
    with pytest.raises(CommuneRequiredError):
        await answer(uow, campaign_token=view.campaign.token)
    await answer(uow, campaign_token=view.campaign.token, commune_insee="71532")
    [event] = uow.of_type(DiagnosisCompleted)
    assert event.collectivite_siren == "217105329"  # Taizé


async def test_an_unknown_response_is_not_found(uow: FakeUnitOfWork) -> None:
    with pytest.raises(UnknownResponseError) as missing:
        await response(uow, uuid4())
    assert missing.value.status == 404
