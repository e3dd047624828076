from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.collective import collective_result
from deformations_diagnosis.domain.errors import MixedVersionsError, NotEnoughResponsesError
from deformations_diagnosis.domain.intercommunality import intercommunality_result
from deformations_diagnosis.domain.results import IndividualResult
from deformations_diagnosis.domain.scoring import score_submission

Q = load_questionnaire()
POOL: list[IndividualResult] = [
    score_submission(Q, s) for _, s in synthetic_submissions(Q, 60, seed=7)
]


@pytest.mark.parametrize("count", [0, 1, 2])
def test_nothing_is_shown_under_three_responses(count: int) -> None:
    with pytest.raises(NotEnoughResponsesError) as caught:
        collective_result(Q, POOL[:count])
    assert caught.value.minimum == 3
    assert "à partir de 3 réponses" in caught.value.message


def test_three_responses_are_enough() -> None:
    result = collective_result(Q, POOL[:3])
    assert result.respondents == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(POOL), min_size=3, max_size=40))
def test_collective_result_is_consistent(results: list[IndividualResult]) -> None:
    collective = collective_result(Q, results)
    counts = Counter(r.family for r in results)
    # Only the families of 3 people or more, in questionnaire order: no cell under 3.
    assert [f.family for f in collective.families] == [
        f.code for f in Q.families if counts[f.code] >= 3
    ]
    assert all(f.count == counts[f.family] for f in collective.families)
    for axis in collective.axes:
        values = [r.axis_scores[axis.axis] for r in results]
        assert min(values) <= axis.mean <= max(values) or abs(axis.mean - min(values)) < 0.06
        assert axis.spread <= (max(values) - min(values)) / 2 + 0.06
    for theme in collective.shared_themes:
        assert theme.count >= 3
        assert theme.count == sum(theme.theme in r.priority_themes for r in results)
    assert 1 <= len(collective.formats) <= 3
    assert set(collective.divergent_axes) <= {a.code for a in Q.axes}


def test_a_lonely_pioneer_is_not_shown_in_a_team_of_four() -> None:
    by_family: dict[str, list[IndividualResult]] = {}
    for r in POOL:
        by_family.setdefault(r.family, []).append(r)
    crowd, alone = list(by_family)[:2]
    team = [by_family[crowd][0]] * 3 + [by_family[alone][0]]
    result = collective_result(Q, team)
    assert [(f.family, f.count) for f in result.families] == [(crowd, 3)]
    assert result.respondents == 4
    assert all(t.count >= 3 for t in result.shared_themes)


def test_identical_answers_have_no_divergence() -> None:
    result = collective_result(Q, [POOL[0]] * 4)
    assert result.divergent_axes == ()
    assert all(a.spread == 0 for a in result.axes)
    assert result.shared_themes[0].count == 4


def test_a_varied_team_is_offered_a_non_conference() -> None:
    varied = {r.family: r for r in POOL}
    assert len(varied) >= 3
    result = collective_result(Q, list(varied.values()))
    assert "non_conference" in {f.code for f in result.formats}


def test_results_from_another_version_are_refused(questionnaire: Questionnaire) -> None:
    other = POOL[0].model_copy(update={"questionnaire_version": "2027-01-v2"})
    with pytest.raises(MixedVersionsError):
        collective_result(questionnaire, [*POOL[:3], other])


def test_intercommunality_shows_large_communes_and_pools_small_ones() -> None:
    by_commune = {
        "91471": POOL[0:5],  # shown alone
        "91272": POOL[5:9],  # shown alone
        "91021": POOL[9:11],  # too small
        "91122": POOL[11:12],  # too small: pooled with 91021 → 3
        "91534": [],  # nobody answered
    }
    view = intercommunality_result(Q, by_commune)
    assert view.total.respondents == 12
    assert [c.insee for c in view.communes] == ["91272", "91471"]
    assert view.pooled_communes == ("91021", "91122")
    assert view.others is not None
    assert view.others.respondents == 3
    assert any(f.code == "speed_dating" for f in view.total.formats)


def test_a_lone_small_commune_is_not_recoverable_by_subtraction() -> None:
    by_commune = {"91471": POOL[0:5], "91272": POOL[5:8], "91021": POOL[8:10]}
    view = intercommunality_result(Q, by_commune)
    # 91021 alone (2) would be total minus the shown ones: the smallest shown joins it.
    assert view.pooled_communes == ("91021", "91272")
    assert [c.insee for c in view.communes] == ["91471"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 7), min_size=1, max_size=8))
def test_no_group_under_three_is_ever_shown(sizes: list[int]) -> None:
    by_commune: dict[str, list[IndividualResult]] = {}
    start = 0
    for index, size in enumerate(sizes):
        by_commune[f"91{index:03d}"] = POOL[start : start + size]
        start += size
    if sum(sizes) < 3:
        with pytest.raises(NotEnoughResponsesError):
            intercommunality_result(Q, by_commune)
        return
    view = intercommunality_result(Q, by_commune)
    assert all(c.result.respondents >= 3 for c in view.communes)
    pooled = sum(sizes[int(i[2:])] for i in view.pooled_communes)
    assert pooled == 0 or pooled >= 3
    assert (view.others is None) == (pooled == 0)
    shown = sum(c.result.respondents for c in view.communes)
    assert shown + pooled == view.total.respondents
