"""Who may open, see, change a campaign and read the calibration: pure policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.access import (
    NotYourCampaignError,
    NotYourCollectiviteError,
    RoleRequiredError,
    check_may_calibrate,
    check_may_change,
    check_may_open,
    may_open,
    may_view_collective,
)
from deformations_diagnosis.domain.campaigns import Campaign, Team, TeamMember

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLUNY = TeamMember("71137", "217101377", "Cluny")
TAIZE = TeamMember("71532", "217105329", "Taizé")
COUNCIL = Team(
    TeamKind.MUNICIPAL_COUNCIL, CLUNY.siren or "", "Conseil municipal de Cluny", "71137", (CLUNY,)
)
EPCI = Team(TeamKind.INTERCOMMUNALITY, "200040293", "CC du Clunisois", None, (CLUNY, TAIZE))


def campaign(team: Team, created_by: str | None = "trainer-1") -> Campaign:
    return Campaign(uuid4(), "tok", team, "2026-11-v1", created_by, NOW, NOW + timedelta(days=3))


def test_operators_and_trainers_open_for_anyone_an_elu_only_for_their_collectivite() -> None:
    assert may_open({"operator"}, None, EPCI)
    assert may_open({"trainer"}, None, COUNCIL)
    assert may_open({"elected"}, "217101377", COUNCIL)
    assert not may_open({"elected"}, "217105329", COUNCIL)
    assert not may_open({"elected"}, "217101377", EPCI)  # the mayor of Cluny is not the EPCI
    assert may_open({"elected"}, "200040293", EPCI)
    assert not may_open({"agent", "hr"}, "217101377", COUNCIL)


def test_a_trainer_sees_a_group_only_if_they_opened_its_campaign() -> None:
    c = campaign(EPCI, created_by="trainer-1")
    assert may_view_collective({"trainer"}, None, "trainer-1", c)
    assert not may_view_collective({"trainer"}, None, "trainer-2", c)
    assert may_view_collective({"operator"}, None, "someone", c)
    # Élus of a member commune see their intercommunality's result; others do not.
    assert may_view_collective({"elected"}, "217105329", "maire-taize", c)
    assert not may_view_collective({"elected"}, "212601082", "maire-crest", c)
    assert not may_view_collective(set(), "217105329", "anonymous", c)


def test_a_role_that_never_opens_is_refused_before_the_collectivite_is_looked_at() -> None:
    with pytest.raises(RoleRequiredError) as refused:
        check_may_open({"agent"}, "217101377", COUNCIL)
    assert refused.value.status == 403
    with pytest.raises(NotYourCollectiviteError):
        check_may_open({"elected"}, "217105329", COUNCIL)
    check_may_open({"elected"}, "217101377", COUNCIL)


def test_only_the_organiser_or_an_operator_changes_a_campaign() -> None:
    c = campaign(COUNCIL, created_by="trainer-1")
    check_may_change({"trainer"}, "trainer-1", c)
    check_may_change({"operator"}, "someone", c)
    with pytest.raises(NotYourCampaignError):
        check_may_change({"elected"}, "maire", c)
    with pytest.raises(NotYourCampaignError):
        check_may_change({"trainer"}, "anyone", campaign(COUNCIL, created_by=None))


def test_only_operators_read_the_calibration() -> None:
    check_may_calibrate({"operator"})
    with pytest.raises(RoleRequiredError):
        check_may_calibrate({"trainer", "elected"})
