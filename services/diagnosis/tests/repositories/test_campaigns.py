"""The campaigns repository on the real PostgreSQL: what the fakes of the use-case tests
stand for, and the constraint it translates into a domain error."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from platform_harness import Platform

from deformations_diagnosis.domain.campaigns import Campaign, TokenTakenError
from deformations_diagnosis.domain.teams import intercommunality, municipal_council
from deformations_diagnosis.repositories import CampaignRepository

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def a_campaign(token: str, created_by: str = "trainer-1", **changes: object) -> Campaign:
    campaign = Campaign(
        id=uuid4(),
        token=token,
        team=municipal_council("71137", None),
        questionnaire_version="2026-11-v1",
        created_by=created_by,
        created_at=NOW,
        expires_at=NOW + timedelta(days=30),
    )
    return replace(campaign, **changes)  # type: ignore[arg-type]


async def test_a_campaign_reads_back_as_stored_and_by_who_may_see_it(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    council = a_campaign("token-council-0001")
    epci = a_campaign(
        "token-epci-0000001",
        created_by="trainer-2",
        team=intercommunality("200040293"),
        created_at=NOW + timedelta(hours=1),
    )
    async with diagnosis.runtime.transaction() as conn:
        repo = CampaignRepository(conn)
        await repo.add(council)
        await repo.add(epci)
        assert await repo.get(council.id) == council
        assert await repo.by_token(epci.token, for_update=True) == epci
        assert await repo.by_token("nope") is None
        # Taizé's élus see the EPCI's campaign (a member), Cluny's see both, newest first.
        taize = await repo.visible_to(everyone=False, person="x", authority="217105329")
        assert taize == [epci]
        cluny = await repo.visible_to(everyone=False, person="x", authority="217101377")
        assert cluny == [epci, council]
        assert await repo.visible_to(everyone=False, person="trainer-1", authority=None) == [
            council
        ]
        await repo.close(council.id, NOW + timedelta(days=1))
        closed = await repo.get(council.id)
        assert closed is not None and closed.expires_at == NOW + timedelta(days=1)
        assert await repo.forget_organiser("trainer-1") == 1


async def test_a_token_drawn_twice_is_a_domain_conflict(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    async with diagnosis.runtime.transaction() as conn:
        repo = CampaignRepository(conn)
        await repo.add(a_campaign("same-token-000001"))
        with pytest.raises(TokenTakenError) as taken:
            await repo.add(a_campaign("same-token-000001"))
    assert (taken.value.status, taken.value.code) == (409, "campaign_token_taken")
