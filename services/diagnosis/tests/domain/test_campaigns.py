from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.campaigns import (
    BadExpiryError,
    Campaign,
    CommuneRequiredError,
    NotAMemberError,
    Team,
    TeamMember,
    check_expiry,
    missing_responses,
    respondent_commune,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLUNY = TeamMember("71137", "217101377", "Cluny")
TAIZE = TeamMember("71532", "217105329", "Taizé")
COUNCIL = Team(
    TeamKind.MUNICIPAL_COUNCIL, CLUNY.siren or "", "Conseil municipal de Cluny", "71137", (CLUNY,)
)
EPCI = Team(TeamKind.INTERCOMMUNALITY, "200040293", "CC du Clunisois", None, (CLUNY, TAIZE))


def campaign(team: Team, created_by: str | None = "trainer-1") -> Campaign:
    return Campaign(uuid4(), "tok", team, "2026-11-v1", created_by, NOW, NOW + timedelta(days=3))


def test_a_campaign_expires_at_its_expiry_not_before() -> None:
    c = campaign(COUNCIL)
    assert not c.is_expired(c.expires_at - timedelta(seconds=1))
    assert c.is_expired(c.expires_at)


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(days=-1), timedelta(days=400)])
def test_an_expiry_in_the_past_or_too_far_is_refused(delta: timedelta) -> None:
    with pytest.raises(BadExpiryError):
        check_expiry(NOW, NOW + delta)
    check_expiry(NOW, NOW + timedelta(days=30))


def test_a_council_response_counts_for_its_commune_whatever_is_given() -> None:
    assert respondent_commune(COUNCIL, None) == "71137"
    assert respondent_commune(COUNCIL, "71137") == "71137"
    with pytest.raises(NotAMemberError):
        respondent_commune(COUNCIL, "71532")


def test_an_intercommunality_response_needs_a_member_commune() -> None:
    assert respondent_commune(EPCI, "71532") == "71532"
    with pytest.raises(CommuneRequiredError):
        respondent_commune(EPCI, None)
    with pytest.raises(NotAMemberError):
        respondent_commune(EPCI, "26108")


def test_missing_responses_never_goes_negative() -> None:
    assert [missing_responses(n, 3) for n in range(5)] == [3, 2, 1, 0, 0]
