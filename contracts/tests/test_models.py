"""Behaviour of the event models: frozen, strict for producers, tolerant for consumers."""

import copy
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanCancelled, LoanCompleted, SkillOffered
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.events.sessions import SessionCancelled, SessionScheduled
from deformations_contracts.registry import examples


def example(model: type[EventData], index: int = 0) -> dict[str, Any]:
    return copy.deepcopy(examples(model.routing_key)[index])


def proposal(kind: str) -> dict[str, Any]:
    return next(p for p in examples(MatchProposed.routing_key) if p["kind"] == kind)


def rejects(model: type[EventData], payload: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(payload)
    assert fragment in str(raised.value)


def test_models_are_frozen(model: type[EventData]) -> None:
    event = model.model_validate(example(model))
    name = next(iter(model.model_fields))
    with pytest.raises(ValidationError):
        setattr(event, name, getattr(event, name))


def test_nested_values_are_frozen() -> None:
    event = SkillOffered.model_validate(example(SkillOffered))
    with pytest.raises(ValidationError):
        event.period.start = event.period.end  # type: ignore[misc]


def test_producer_validation_rejects_unknown_fields(model: type[EventData]) -> None:
    payload = {**example(model), "added_later": 1, "another": "x"}
    with pytest.raises(ValidationError) as raised:
        model.validate_strict(payload)
    assert {error["loc"][0] for error in raised.value.errors()} == {"added_later", "another"}


def test_consumer_validation_ignores_unknown_fields(model: type[EventData]) -> None:
    payload = {**example(model), "added_later": {"nested": True}}
    assert model.model_validate(payload) == model.model_validate(example(model))


def test_consumers_tolerate_unknown_theme_codes() -> None:
    payload = example(SkillOffered)
    payload["theme"] = "culture_patrimoine"
    assert SkillOffered.model_validate(payload).theme == "culture_patrimoine"


def test_naive_datetimes_are_rejected() -> None:
    payload = example(DiagnosisCompleted)
    payload["completed_at"] = "2026-03-12T07:48:19"
    rejects(DiagnosisCompleted, payload, "completed_at")


@pytest.mark.parametrize("score", [-0.5, 100.1])
def test_axis_scores_stay_within_0_and_100(score: float) -> None:
    payload = example(DiagnosisCompleted)
    payload["axis_scores"]["concret_systemique"] = score
    rejects(DiagnosisCompleted, payload, "axis_scores")


def test_second_family_differs_from_the_family() -> None:
    payload = example(DiagnosisCompleted)
    payload["second_family"] = payload["family"]
    rejects(DiagnosisCompleted, payload, "second_family must differ")


def test_a_result_is_shared_only_within_a_campaign() -> None:
    payload = example(DiagnosisCompleted)
    del payload["campaign_id"]
    rejects(DiagnosisCompleted, payload, "within a campaign")


def test_team_results_need_three_responses() -> None:
    payload = example(DiagnosisTeamUpdated)
    payload["response_count"] = 2
    payload["family_distribution"] = {"facilitateur": 2}
    rejects(DiagnosisTeamUpdated, payload, "response_count")


def test_family_distribution_cannot_exceed_the_responses() -> None:
    payload = example(DiagnosisTeamUpdated)
    payload["response_count"] = 6
    rejects(DiagnosisTeamUpdated, payload, "more responses")


def test_a_period_ends_after_it_starts() -> None:
    payload = example(SkillOffered)
    payload["period"] = {"start": "2026-06-30", "end": "2026-04-01"}
    rejects(SkillOffered, payload, "before its start")


def test_an_offer_has_a_positive_capacity_and_some_half_days() -> None:
    payload = example(SkillOffered)
    payload["capacity_half_days"] = 0
    rejects(SkillOffered, payload, "capacity_half_days")
    payload = example(SkillOffered)
    payload["possible_half_days"] = []
    rejects(SkillOffered, payload, "possible_half_days")


def test_descriptions_are_not_empty() -> None:
    payload = example(SkillOffered)
    payload["description"] = "   court  "
    rejects(SkillOffered, payload, "description")


def test_a_collectivite_does_not_lend_to_itself() -> None:
    payload = example(LoanCompleted)
    payload["borrower_siren"] = payload["lender_siren"]
    rejects(LoanCompleted, payload, "lend to itself")


def test_no_more_half_days_used_than_agreed() -> None:
    for model in (LoanCompleted, LoanCancelled):
        payload = example(model, 1)
        payload["half_days_used"] = payload["half_days_agreed"] + 1
        rejects(model, payload, "more half-days used than agreed")


def test_one_feedback_per_respondent() -> None:
    payload = example(LoanCompleted)
    payload["feedback"].append({"respondent": "borrower", "satisfaction": 1})
    rejects(LoanCompleted, payload, "one feedback per respondent")


def test_need_offer_proposal_names_one_request_and_an_offer() -> None:
    payload = proposal("need_offer")
    del payload["offer"]
    rejects(MatchProposed, payload, "one offer")
    payload = proposal("need_offer")
    payload["kind"] = "grouped_offer"
    rejects(MatchProposed, payload, "2+ requests")


@pytest.mark.parametrize("size", [2, 9])
def test_peer_groups_have_3_to_8_members(size: int) -> None:
    payload = proposal("peer_group")
    payload["members"] = [f"person-{index}" for index in range(size)]
    payload["accepted"] = ["person-0"]
    rejects(MatchProposed, payload, "peer group")


def test_only_members_can_have_accepted_a_proposal() -> None:
    payload = proposal("peer_group")
    payload["accepted"] = ["stranger"]
    rejects(MatchProposed, payload, "only members")
    payload["accepted"] = [payload["members"][0]] * 2
    rejects(MatchProposed, payload, "listed once")


def test_a_proposal_from_before_accepted_existed_has_nobody_accepted() -> None:
    payload = proposal("peer_group")
    del payload["accepted"]
    assert MatchProposed.model_validate(payload).accepted == []


def test_a_rotation_never_repeats_a_pair() -> None:
    payload = proposal("speed_dating_rotation")
    payload["rounds"][1]["pairings"][0] = {
        "first": payload["members"][1],
        "second": payload["members"][0],
    }
    rejects(MatchProposed, payload, "meets")


def test_a_rotation_pairs_only_its_members() -> None:
    payload = proposal("speed_dating_rotation")
    payload["rounds"][0]["pairings"][0]["first"] = "stranger"
    rejects(MatchProposed, payload, "only its members")


def test_a_session_ends_after_it_starts_and_has_a_place_or_is_remote() -> None:
    payload = example(SessionScheduled)
    payload["ends_at"] = payload["starts_at"]
    rejects(SessionScheduled, payload, "ends after it starts")
    payload = example(SessionScheduled)
    del payload["place_label"], payload["place_insee"]
    rejects(SessionScheduled, payload, "has a place")


def test_a_cancellation_raises_the_sequence_and_gives_a_reason() -> None:
    payload = example(SessionCancelled)
    payload["sequence"] = 0
    rejects(SessionCancelled, payload, "sequence")
    payload = example(SessionCancelled)
    del payload["reason"]
    rejects(SessionCancelled, payload, "reason")


def test_no_field_is_typed_with_the_theme_enum(model: type[EventData]) -> None:
    def annotations(cls: type[BaseModel]) -> list[str]:
        found = [repr(field.annotation) for field in cls.model_fields.values()]
        for field in cls.model_fields.values():
            for arg in getattr(field.annotation, "__args__", (field.annotation,)):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    found += annotations(arg)
        return found

    assert not [text for text in annotations(model) if "Theme'" in text or "themes.Theme" in text]


def test_producer_validation_rejects_unknown_nested_fields() -> None:
    payload = example(SkillOffered)
    payload["period"]["duration_days"] = 90
    payload["possible_half_days"][1]["note"] = "x"
    with pytest.raises(ValidationError) as raised:
        SkillOffered.validate_strict(payload)
    errors = raised.value.errors()
    assert [(error["type"], error["loc"]) for error in errors] == [
        ("extra_forbidden", ("period",)),
        ("extra_forbidden", ("possible_half_days", 1)),
    ]
    assert "duration_days" in errors[0]["msg"]
    assert SkillOffered.model_validate(payload) == SkillOffered.model_validate(
        example(SkillOffered)
    )


def test_every_proposal_kind_has_an_example() -> None:
    kinds = {payload["kind"] for payload in examples(MatchProposed.routing_key)}
    assert kinds == {kind.value for kind in ProposalKind}
