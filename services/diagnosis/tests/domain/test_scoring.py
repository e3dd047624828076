from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_contracts.types import Modality, TimeSlot
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.content.model import ItemRole, Questionnaire
from deformations_diagnosis.domain.next_step import modality_fits
from deformations_diagnosis.domain.results import Clarity
from deformations_diagnosis.domain.scoring import axis_ranges, score_submission
from deformations_diagnosis.domain.submission import Submission

from ..conftest import complete_submissions, first_options  # noqa: TID252 (shared strategies)

Q = load_questionnaire()


@settings(max_examples=150, deadline=None)
@given(complete_submissions(Q))
def test_every_complete_answer_set_gives_a_valid_bounded_result(submission: Submission) -> None:
    result = score_submission(Q, submission)
    assert set(result.axis_scores) == {a.code for a in Q.axes}
    assert all(0 <= s <= 100 for s in result.axis_scores.values())
    assert [d.family for d in result.distances][:2] == [result.family, result.second_family]
    assert result.family != result.second_family
    assert sorted(d.family for d in result.distances) == sorted(f.code for f in Q.families)
    distances = [d.distance for d in result.distances]
    assert distances == sorted(distances)
    assert 0 <= result.clarity_index <= 1
    assert len(result.priority_themes) == 3 == len(set(result.priority_themes))
    assert result.explanation
    assert all(p.strip() for p in result.explanation)
    fmt = next(f for f in Q.formats if f.code == result.next_step.format_code)
    assert fmt.min_minutes_per_month <= result.availability.minutes_per_month
    assert modality_fits(result.availability.modality, fmt.modality)
    assert result.next_step.format_code not in {a.format_code for a in result.alternatives}


@settings(max_examples=50, deadline=None)
@given(complete_submissions(Q))
def test_scoring_is_deterministic(submission: Submission) -> None:
    assert score_submission(Q, submission) == score_submission(Q, submission)


@settings(max_examples=50, deadline=None)
@given(complete_submissions(Q))
def test_themes_picked_explicitly_come_first(submission: Submission) -> None:
    (item,) = Q.items_with_role(ItemRole.PRIORITY_THEMES)
    picked = set(submission.answers[item.id])
    result = score_submission(Q, submission)
    leading = {t.value for t in result.priority_themes[: len(picked)]}
    assert leading == picked


def test_axis_ranges_allow_both_extremes(questionnaire: Questionnaire) -> None:
    for axis, r in axis_ranges(questionnaire).items():
        assert r.low < 0 < r.high, axis


def _best_answers_for(q: Questionnaire, family: str) -> dict[str, tuple[str, ...]]:
    """Coordinate descent on the answers: push towards ``family``, away from the others."""
    answers = first_options(q)

    def margin(candidate: dict[str, tuple[str, ...]]) -> float:
        result = score_submission(q, Submission(questionnaire_version=q.version, answers=candidate))
        mine = next(d.distance for d in result.distances if d.family == family)
        others = min(d.distance for d in result.distances if d.family != family)
        return mine - others

    best = margin(answers)
    improved = True
    while improved:
        improved = False
        for item in q.items_with_role(ItemRole.AXES):
            for option in item.options:
                candidate = {**answers, item.id: (option.id,)}
                value = margin(candidate)
                if value < best - 1e-9:
                    answers, best, improved = candidate, value, True
    return answers


def test_each_family_is_reachable(questionnaire: Questionnaire) -> None:
    for family in questionnaire.families:
        answers = _best_answers_for(questionnaire, family.code)
        result = score_submission(
            questionnaire, Submission(questionnaire_version=questionnaire.version, answers=answers)
        )
        assert result.family == family.code
        assert result.clarity is Clarity.CLEAR, family.code


def _with(q: Questionnaire, **by_role: tuple[str, ...]) -> Submission:
    answers = first_options(q)
    for role, options in by_role.items():
        (item,) = q.items_with_role(ItemRole(role))
        answers[item.id] = options
    return Submission(questionnaire_version=q.version, answers=answers)


def test_one_free_hour_a_month_remote_gives_the_cafe_formation(
    questionnaire: Questionnaire,
) -> None:
    submission = _with(
        questionnaire, time_budget=("une_heure",), modality=("distance",), time_slots=("midi",)
    )
    result = score_submission(questionnaire, submission)
    assert result.availability.minutes_per_month == 60
    assert result.availability.modality is Modality.REMOTE
    assert result.availability.slots == (TimeSlot.LUNCH,)
    assert result.next_step.format_code == "cafe_formation"
    assert result.next_step.recipe_code == "t03_cafe_formation"
    assert "une heure" in result.next_step.reason


def test_less_than_an_hour_still_gets_a_next_step(questionnaire: Questionnaire) -> None:
    result = score_submission(questionnaire, _with(questionnaire, time_budget=("moins_1h",)))
    assert result.next_step.format_code == "podcast"


def test_early_morning_on_site_can_get_the_cafe_with_technicians(
    questionnaire: Questionnaire,
) -> None:
    answers = _best_answers_for(questionnaire, "batisseur")
    answers.update(
        temps_mensuel=("deux_trois_heures",), modalite=("presentiel",), creneaux=("tot",)
    )
    submission = Submission(questionnaire_version=questionnaire.version, answers=answers)
    result = score_submission(questionnaire, submission)
    assert result.family == "batisseur"
    assert result.next_step.format_code == "cafe_elus_techniciens"
    assert "tôt le matin" in result.next_step.reason


def test_situation_is_read_by_role(questionnaire: Questionnaire) -> None:
    submission = _with(questionnaire, first_mandate=("deuxieme",), delegation=("social",))
    result = score_submission(questionnaire, submission)
    assert result.situation.first_mandate is False
    assert result.situation.delegation == "social"
    assert result.situation.mandate == "maire"


def test_a_new_version_changes_no_past_result(questionnaire: Questionnaire) -> None:
    submission = Submission(
        questionnaire_version=questionnaire.version, answers=first_options(questionnaire)
    )
    before = score_submission(questionnaire, submission)
    raw = questionnaire.model_dump(mode="json")
    raw["version"] = "2027-01-v2"
    for item in raw["items"]:
        for option in item["options"]:
            option["weights"] = {k: -v for k, v in option["weights"].items()}
    newer = Questionnaire.model_validate(raw)
    moved = score_submission(
        newer, Submission(questionnaire_version=newer.version, answers=submission.answers)
    )
    assert moved.axis_scores != before.axis_scores
    assert score_submission(questionnaire, submission) == before


@given(st.sampled_from(list(Modality)), st.sampled_from(list(Modality)))
def test_modality_fit_is_symmetric(a: Modality, b: Modality) -> None:
    assert modality_fits(a, b) == modality_fits(b, a)
