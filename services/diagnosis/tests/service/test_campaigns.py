"""Campaign use cases over a fake unit of work: who opens, sees, moves and closes what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from deformations_common.auth import Principal
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.content.loader import CURRENT_VERSION
from deformations_diagnosis.domain.access import (
    NotYourCampaignError,
    NotYourCollectiviteError,
    RoleRequiredError,
)
from deformations_diagnosis.domain.campaigns import (
    BadExpiryError,
    CampaignExpiredError,
    CampaignNotFoundError,
)
from deformations_diagnosis.domain.errors import UnknownVersionError
from deformations_diagnosis.domain.teams import CollectiviteRequiredError, UnknownCollectiviteError
from deformations_diagnosis.service import campaigns
from deformations_diagnosis.service.campaigns import CampaignView

from .fakes import FakeUnitOfWork

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLUNY_SIREN = "217101377"
OPERATOR = Principal(sub="op", roles=frozenset({"operator"}))
TRAINER = Principal(sub="trainer-1", roles=frozenset({"trainer"}))
MAYOR = Principal(sub="maire", authority=CLUNY_SIREN, roles=frozenset({"elected"}))
AGENT = Principal(sub="agent", authority=CLUNY_SIREN, roles=frozenset({"agent"}))
TAIZE_MAYOR = Principal(sub="maire-t", authority="217105329", roles=frozenset({"elected"}))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def uow(clock: ManualClock) -> FakeUnitOfWork:
    return FakeUnitOfWork(clock)


async def open_for_cluny(
    uow: FakeUnitOfWork, by: Principal = TRAINER, **changes: object
) -> CampaignView:
    arguments: dict[str, object] = {
        "team_kind": TeamKind.MUNICIPAL_COUNCIL,
        "collectivite_siren": CLUNY_SIREN,
        "commune_insee": None,
        "expires_at": None,
        "questionnaire_version": CURRENT_VERSION,
        **changes,
    }
    return await campaigns.open_campaign(uow, by, **arguments)  # type: ignore[arg-type]


async def test_a_campaign_opens_for_thirty_days_with_its_team(uow: FakeUnitOfWork) -> None:
    view = await open_for_cluny(uow)
    c = view.campaign
    assert (c.created_at, c.expires_at) == (NOW, NOW + timedelta(days=30))
    assert c.team.label == "Conseil municipal de Cluny"
    assert c.created_by == "trainer-1"
    assert not view.expired
    assert uow.campaigns.rows == {c.id: c}
    assert await campaigns.campaign_link(uow, c.token) == c


@pytest.mark.parametrize(
    ("by", "changes", "error"),
    [
        (
            Principal(sub="a", authority=CLUNY_SIREN, roles=frozenset({"agent"})),
            {},
            RoleRequiredError,
        ),
        (TAIZE_MAYOR, {}, NotYourCollectiviteError),
        (TRAINER, {"collectivite_siren": "999999999"}, UnknownCollectiviteError),
        (TRAINER, {"collectivite_siren": None}, CollectiviteRequiredError),
        (TRAINER, {"questionnaire_version": "1999-01-v1"}, UnknownVersionError),
        (TRAINER, {"expires_at": NOW}, BadExpiryError),
        (TRAINER, {"expires_at": NOW + timedelta(days=400)}, BadExpiryError),
    ],
)
async def test_what_may_not_be_opened_is_refused_and_nothing_stored(
    uow: FakeUnitOfWork, by: Principal, changes: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        await open_for_cluny(uow, by, **changes)
    assert uow.campaigns.rows == {}


async def test_an_elu_opens_for_their_own_commune(uow: FakeUnitOfWork) -> None:
    view = await open_for_cluny(uow, MAYOR)
    assert view.campaign.created_by == "maire"


async def test_closing_ends_the_link_and_reopening_brings_it_back(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    c = (await open_for_cluny(uow)).campaign
    with pytest.raises(NotYourCampaignError):
        await campaigns.close_campaign(uow, MAYOR, c.id)  # sees it, may not change it
    clock.advance(timedelta(hours=1))
    closed = await campaigns.close_campaign(uow, TRAINER, c.id)
    assert closed.expired and closed.campaign.expires_at == NOW + timedelta(hours=1)
    with pytest.raises(CampaignExpiredError):
        await campaigns.campaign_link(uow, c.token)
    later = clock.now + timedelta(days=7)
    reopened = await campaigns.change_expiry(uow, OPERATOR, c.id, later)
    assert not reopened.expired
    assert (await campaigns.campaign_link(uow, c.token)).expires_at == later
    with pytest.raises(BadExpiryError):
        await campaigns.change_expiry(uow, TRAINER, c.id, clock.now - timedelta(days=1))
    # Rights before the date: whoever may not move it learns nothing from a bad one.
    with pytest.raises(NotYourCampaignError):
        await campaigns.change_expiry(uow, MAYOR, c.id, clock.now - timedelta(days=1))
    with pytest.raises(CampaignNotFoundError):
        await campaigns.change_expiry(uow, OPERATOR, uuid4(), clock.now - timedelta(days=1))


async def test_who_sees_a_campaign(uow: FakeUnitOfWork) -> None:
    c = (await open_for_cluny(uow)).campaign
    assert (await campaigns.campaign(uow, MAYOR, c.id)).campaign == c
    other_trainer = Principal(sub="trainer-2", roles=frozenset({"trainer"}))
    with pytest.raises(NotYourCampaignError):
        await campaigns.campaign(uow, other_trainer, c.id)
    with pytest.raises(CampaignNotFoundError):
        await campaigns.campaign(uow, OPERATOR, uuid4())
    assert [v.campaign for v in await campaigns.visible_campaigns(uow, MAYOR)] == [c]
    assert await campaigns.visible_campaigns(uow, TAIZE_MAYOR) == []
    assert len(await campaigns.visible_campaigns(uow, OPERATOR)) == 1
