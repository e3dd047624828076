"""The events built from any results are valid contracts and say no more than aggregates."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_diagnosis import events
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.domain import teams
from deformations_diagnosis.domain.campaigns import Campaign, Team
from deformations_diagnosis.domain.collective import collective_result
from deformations_diagnosis.domain.scoring import score_submission
from deformations_diagnosis.domain.submission import Submission

from .conftest import complete_submissions

Q = load_questionnaire()
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLUNISOIS = teams.intercommunality("200040293")
CREST = teams.municipal_council("26108", None)


def campaign(team: Team) -> Campaign:
    return Campaign(uuid4(), "t", team, Q.version, "p", NOW, NOW + timedelta(days=1))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(complete_submissions(Q), min_size=3, max_size=12),
    st.sampled_from([CLUNISOIS, CREST]),
)
def test_any_team_result_makes_a_valid_team_event(
    submissions: list[Submission], team: Team
) -> None:
    results = [score_submission(Q, s) for s in submissions]
    c = campaign(team)
    event = events.team_updated(c, collective_result(Q, results), updated_at=NOW)
    again = DiagnosisTeamUpdated.validate_strict(event.model_dump(mode="json"))
    assert again == event
    assert event.response_count == len(results)
    counts = Counter(r.family for r in results)
    # Broadcast to every subscriber: no family of fewer than 3 people in it.
    assert event.family_distribution == {f: n for f, n in counts.items() if n >= 3}
    assert set(event.axis_statistics) == {a.code for a in Q.axes}
    assert event.collectivite_siren == team.siren
    assert bool(event.member_sirens) == (team is CLUNISOIS)
    assert "217101377" in event.member_sirens or team is CREST  # Cluny is a member


@settings(max_examples=40, deadline=None)
@given(complete_submissions(Q), st.booleans())
def test_a_campaign_response_event_names_the_commune_it_counts_for(
    submission: Submission, shared: bool
) -> None:
    result = score_submission(Q, submission)
    c = campaign(CLUNISOIS)
    event = events.completed(
        Q,
        result,
        response_id=uuid4(),
        person_id=None,
        completed_at=NOW,
        campaign=c,
        commune_insee="71532",
        shared=shared,
    )
    assert DiagnosisCompleted.validate_strict(event.model_dump(mode="json")) == event
    assert (event.campaign_id, event.commune_insee) == (c.id, "71532")
    assert event.collectivite_siren == "217105329"  # Taizé
    assert event.shared_with_team is shared
