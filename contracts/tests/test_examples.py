from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from deformations_contracts.registry import EVENTS, examples
from deformations_contracts.schemas import schema_of

ALL_EXAMPLES: list[tuple[str, int, dict[str, Any]]] = [
    (key, index, payload) for key in sorted(EVENTS) for index, payload in enumerate(examples(key))
]


def example_id(case: tuple[str, int, dict[str, Any]]) -> str:
    return f"{case[0]}[{case[1]}]"


def test_every_event_has_at_least_two_examples() -> None:
    for key in EVENTS:
        assert len(examples(key)) >= 2, key


@pytest.mark.parametrize("case", ALL_EXAMPLES, ids=example_id)
def test_example_validates_strictly_and_round_trips(case: tuple[str, int, dict[str, Any]]) -> None:
    key, _, payload = case
    model = EVENTS[key]
    event = model.validate_strict(payload)
    dumped = event.model_dump(mode="json")
    assert model.validate_strict(dumped) == event
    assert event.subject()


@pytest.mark.parametrize("case", ALL_EXAMPLES, ids=example_id)
def test_example_and_its_dump_validate_against_the_json_schema(
    case: tuple[str, int, dict[str, Any]],
) -> None:
    key, _, payload = case
    validator = Draft202012Validator(schema_of(EVENTS[key]), format_checker=FormatChecker())
    validator.validate(payload)
    validator.validate(EVENTS[key].model_validate(payload).model_dump(mode="json"))


def test_examples_are_real_collectivites() -> None:
    # Spot checks against the COG: Crest (26108) and Saillans (26289) in the CC du Crestois.
    offered = examples("skill.offered.v1")[0]["collectivite"]
    requested = examples("skill.requested.v1")[0]["collectivite"]
    assert offered == {"siren": "212601082", "insee_code": "26108", "epci_siren": "200040509"}
    assert requested == {"siren": "938438454", "insee_code": "26289", "epci_siren": "200040509"}
