"""The team's result over a fake unit of work: shared responses only, never under three."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from deformations_common.auth import Principal
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.diagnosis import TeamKind
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.domain.access import NotYourCampaignError
from deformations_diagnosis.domain.campaigns import UnknownCampaignError
from deformations_diagnosis.domain.collective import CollectiveResult
from deformations_diagnosis.domain.errors import NotEnoughResponsesError
from deformations_diagnosis.service.campaigns import open_campaign
from deformations_diagnosis.service.collective import collective_of, collective_page
from deformations_diagnosis.service.responses import submit

from .fakes import FakeUnitOfWork

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
Q = load_questionnaire()
TRAINER = Principal(sub="trainer-1", roles=frozenset({"trainer"}))


async def campaign_with(uow: FakeUnitOfWork, shared: int, private: int = 0) -> tuple[str, UUID]:
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
    panel = synthetic_submissions(Q, shared + private, seed=5)
    for n, (_, s) in enumerate(panel):
        await submit(
            uow,
            submission_id=uuid4(),
            version=Q.version,
            answers=s.answers,
            person_id=None,
            campaign_token=view.campaign.token,
            share=n < shared,
        )
    return view.campaign.token, view.campaign.id


async def test_under_three_shared_the_result_says_how_many_are_missing() -> None:
    uow = FakeUnitOfWork(ManualClock(NOW))
    token, campaign_id = await campaign_with(uow, shared=2, private=3)
    with pytest.raises(NotEnoughResponsesError) as early:
        await collective_of(uow, TRAINER, campaign_id)
    assert (early.value.status, early.value.details) == (409, {"minimum": 3, "missing": 1})
    page = await collective_page(uow, token)
    assert (page.result, page.missing, page.open) == (None, 1, True)


async def test_from_three_shared_the_team_sees_only_those() -> None:
    uow = FakeUnitOfWork(ManualClock(NOW))
    token, campaign_id = await campaign_with(uow, shared=3, private=2)
    team = await collective_of(uow, TRAINER, campaign_id)
    assert isinstance(team.result, CollectiveResult)
    assert team.result.respondents == 3
    stranger = Principal(sub="trainer-2", roles=frozenset({"trainer"}))
    with pytest.raises(NotYourCampaignError):
        await collective_of(uow, stranger, campaign_id)
    page = await collective_page(uow, token)
    assert page.result == team.result and page.missing == 0
    with pytest.raises(UnknownCampaignError):
        await collective_page(uow, "no-such-token")
