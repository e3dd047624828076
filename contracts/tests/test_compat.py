"""The backward-compatibility check on hand-made pairs of schemas."""

import copy
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, StringConstraints

from deformations_contracts.base import EventData
from deformations_contracts.compat import breaking_changes
from deformations_contracts.schemas import schema_of


def obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    schema["required"] = required if required is not None else sorted(properties)
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
OPTIONAL_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
BASE = obj(id={"type": "string", "format": "uuid"}, theme=STRING, count=INTEGER)


def with_property(schema: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(schema)
    changed["properties"][name] = value
    return changed


def only(changes: list[str], *fragments: str) -> None:
    assert len(changes) == 1, changes
    for fragment in fragments:
        assert fragment in changes[0], changes


# --- accepted changes -----------------------------------------------------------------


def test_identical_schemas_have_no_breaks(model: type[EventData]) -> None:
    schema = schema_of(model)
    assert breaking_changes(schema, copy.deepcopy(schema)) == []


def test_an_optional_property_may_be_added() -> None:
    assert breaking_changes(BASE, with_property(BASE, "note", OPTIONAL_STRING)) == []


def test_annotations_may_change() -> None:
    new = with_property(BASE, "theme", {"type": "string", "title": "Thème", "description": "…"})
    assert breaking_changes(BASE, new) == []


def test_an_enum_may_be_widened() -> None:
    old = with_property(BASE, "kind", {"enum": ["a", "b"], "type": "string"})
    new = with_property(BASE, "kind", {"enum": ["a", "b", "c"], "type": "string"})
    assert breaking_changes(old, new) == []


def test_a_literal_may_become_an_enum_containing_it() -> None:
    old = with_property(BASE, "kind", {"const": "a", "type": "string"})
    new = with_property(BASE, "kind", {"enum": ["a", "b"], "type": "string"})
    assert breaking_changes(old, new) == []


def test_types_may_be_widened() -> None:
    assert breaking_changes(BASE, with_property(BASE, "count", {"type": "number"})) == []
    assert breaking_changes(BASE, with_property(BASE, "theme", OPTIONAL_STRING)) == []


def test_constraints_may_be_loosened_or_dropped() -> None:
    old = with_property(BASE, "count", {"type": "integer", "minimum": 1, "maximum": 10})
    assert (
        breaking_changes(old, with_property(BASE, "count", {"type": "integer", "maximum": 20}))
        == []
    )


def test_a_required_property_may_become_optional() -> None:
    new = copy.deepcopy(BASE)
    new["required"].remove("count")
    assert breaking_changes(BASE, new) == []


# --- breaking changes -------------------------------------------------------------------


def test_a_removed_property_breaks() -> None:
    new = copy.deepcopy(BASE)
    del new["properties"]["count"]
    new["required"].remove("count")
    only(breaking_changes(BASE, new), "'count' removed")


def test_a_renamed_property_breaks_and_is_named() -> None:
    new = copy.deepcopy(BASE)
    new["properties"]["theme_code"] = new["properties"].pop("theme")
    new["required"] = ["count", "id", "theme_code"]
    changes = breaking_changes(BASE, new)
    assert any("'theme' removed or renamed (renamed to 'theme_code'?)" in c for c in changes)
    assert any("new required property 'theme_code'" in c for c in changes)


def test_a_new_required_property_breaks() -> None:
    new = with_property(BASE, "siren", STRING)
    new["required"].append("siren")
    only(breaking_changes(BASE, new), "new required property 'siren'")


def test_an_optional_property_becoming_required_breaks() -> None:
    old = with_property(BASE, "note", OPTIONAL_STRING)
    new = copy.deepcopy(old)
    new["required"].append("note")
    only(breaking_changes(old, new), "'note' became required")


@pytest.mark.parametrize(
    ("old_type", "new_type"),
    [
        ({"type": "number"}, {"type": "integer"}),
        ({"type": "string"}, {"type": "integer"}),
        ({"type": ["string", "null"]}, {"type": "string"}),
        (OPTIONAL_STRING, STRING),
    ],
)
def test_a_narrowed_type_breaks(old_type: dict[str, Any], new_type: dict[str, Any]) -> None:
    changes = breaking_changes(
        with_property(BASE, "x", old_type), with_property(BASE, "x", new_type)
    )
    only(changes, "x:", "narrowed type")


def test_a_narrowed_enum_breaks() -> None:
    old = with_property(BASE, "kind", {"enum": ["a", "b", "c"], "type": "string"})
    new = with_property(BASE, "kind", {"enum": ["a", "c"], "type": "string"})
    only(breaking_changes(old, new), "kind:", "narrowed enum", "'b'")


def test_a_changed_literal_breaks() -> None:
    old = with_property(BASE, "kind", {"const": "a", "type": "string"})
    only(
        breaking_changes(old, with_property(BASE, "kind", {"const": "b", "type": "string"})),
        "const",
    )
    only(
        breaking_changes(BASE, with_property(BASE, "theme", {"enum": ["x"], "type": "string"})),
        "enum",
    )


@pytest.mark.parametrize(
    ("old_extra", "new_extra", "keyword"),
    [
        ({"minimum": 0}, {"minimum": 1}, "minimum"),
        ({"maximum": 100}, {"maximum": 99}, "maximum"),
        ({}, {"exclusiveMaximum": 5}, "exclusiveMaximum"),
        ({"minLength": 1}, {"minLength": 3}, "minLength"),
        ({"maxLength": 200}, {"maxLength": 120}, "maxLength"),
        ({}, {"pattern": "^[0-9]{9}$"}, "pattern"),
        ({"pattern": "^[0-9]+$"}, {"pattern": "^[0-9]{9}$"}, "pattern"),
        ({}, {"format": "uuid"}, "format"),
    ],
)
def test_a_tightened_scalar_constraint_breaks(
    old_extra: dict[str, Any], new_extra: dict[str, Any], keyword: str
) -> None:
    kind = "string" if "Length" in keyword or keyword in ("pattern", "format") else "integer"
    old = with_property(BASE, "x", {"type": kind, **old_extra})
    new = with_property(BASE, "x", {"type": kind, **new_extra})
    only(breaking_changes(old, new), "x:", "tightened constraint", keyword)


@pytest.mark.parametrize(
    ("old_extra", "new_extra", "keyword"),
    [
        ({}, {"minItems": 1}, "minItems"),
        ({"maxItems": 10}, {"maxItems": 5}, "maxItems"),
        ({}, {"uniqueItems": True}, "unique"),
    ],
)
def test_a_tightened_array_constraint_breaks(
    old_extra: dict[str, Any], new_extra: dict[str, Any], keyword: str
) -> None:
    old = with_property(BASE, "xs", {"type": "array", "items": STRING, **old_extra})
    new = with_property(BASE, "xs", {"type": "array", "items": STRING, **new_extra})
    only(breaking_changes(old, new), "xs:", keyword)


def test_narrowed_array_items_break() -> None:
    old = with_property(BASE, "xs", {"type": "array", "items": {"type": "number"}})
    new = with_property(BASE, "xs", {"type": "array", "items": {"type": "integer"}})
    only(breaking_changes(old, new), "xs[]", "narrowed type")


def test_forbidding_additional_properties_breaks() -> None:
    new = copy.deepcopy(BASE)
    new["additionalProperties"] = False
    only(breaking_changes(BASE, new), "additionalProperties tightened")


def test_narrowing_the_values_of_a_mapping_breaks() -> None:
    old = with_property(
        BASE, "scores", {"type": "object", "additionalProperties": {"type": "number"}}
    )
    tighter = {"type": "number", "maximum": 100}
    new = with_property(BASE, "scores", {"type": "object", "additionalProperties": tighter})
    only(breaking_changes(old, new), "scores.*", "maximum")
    keys = {"type": "object", "additionalProperties": {"type": "number"}, "propertyNames": STRING}
    only(breaking_changes(old, with_property(BASE, "scores", {**keys, "minProperties": 1})), "min")


def test_changes_behind_refs_are_found_and_located() -> None:
    def with_period(end: dict[str, Any]) -> dict[str, Any]:
        schema = with_property(BASE, "period", {"$ref": "#/$defs/Period"})
        schema["$defs"] = {"Period": obj(start={"type": "string", "format": "date"}, end=end)}
        return schema

    old = with_period({"type": "string", "format": "date"})
    new = with_period({"type": "string", "format": "date-time"})
    only(breaking_changes(old, new), "period.end:", "format")


def test_narrowing_a_ref_enum_inside_an_optional_breaks() -> None:
    def schema(values: list[str]) -> dict[str, Any]:
        optional = {"anyOf": [{"$ref": "#/$defs/Kind"}, {"type": "null"}], "default": None}
        result = with_property(BASE, "kind", optional)
        result["$defs"] = {"Kind": {"enum": values, "type": "string"}}
        return result

    assert breaking_changes(schema(["a", "b"]), schema(["a", "b", "c"])) == []
    only(breaking_changes(schema(["a", "b"]), schema(["a"])), "kind:", "'b'")


def test_recursive_schemas_terminate() -> None:
    node = {"$ref": "#/$defs/Node"}
    old: dict[str, Any] = {
        "$defs": {"Node": obj(["value"], value=INTEGER, children={"type": "array", "items": node})},
        **node,
    }
    new = copy.deepcopy(old)
    new["$defs"]["Node"]["properties"]["value"] = {"type": "integer", "minimum": 0}
    only(breaking_changes(old, new), "value:", "minimum")


# --- properties -------------------------------------------------------------------------

BOUND = st.integers(min_value=-1000, max_value=1000)


@settings(max_examples=100, deadline=None)
@given(old_min=BOUND, new_min=BOUND, old_max=BOUND, new_max=BOUND)
def test_bounds_break_exactly_when_they_tighten(
    old_min: int, new_min: int, old_max: int, new_max: int
) -> None:
    old = with_property(BASE, "n", {"type": "integer", "minimum": old_min, "maximum": old_max})
    new = with_property(BASE, "n", {"type": "integer", "minimum": new_min, "maximum": new_max})
    changes = breaking_changes(old, new)
    assert any("minimum" in change for change in changes) == (new_min > old_min)
    assert any("maximum" in change for change in changes) == (new_max < old_max)


VALUES = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True)


@settings(max_examples=100, deadline=None)
@given(old_values=VALUES, new_values=VALUES)
def test_enums_break_exactly_when_a_value_is_dropped(
    old_values: list[str], new_values: list[str]
) -> None:
    old = with_property(BASE, "k", {"type": "string", "enum": old_values})
    new = with_property(BASE, "k", {"type": "string", "enum": new_values})
    assert bool(breaking_changes(old, new)) == (not set(old_values) <= set(new_values))


NAMES = st.sets(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=5)


@settings(max_examples=100, deadline=None)
@given(old_names=NAMES, new_names=NAMES, old_required=NAMES, new_required=NAMES)
def test_properties_break_exactly_when_removed_or_newly_required(
    old_names: set[str], new_names: set[str], old_required: set[str], new_required: set[str]
) -> None:
    old_required &= old_names
    new_required &= new_names
    old = obj(sorted(old_required), **dict.fromkeys(old_names, STRING))
    new = obj(sorted(new_required), **dict.fromkeys(new_names, STRING))
    expected = bool(old_names - new_names) or bool(new_required - old_required)
    assert bool(breaking_changes(old, new)) == expected


# --- on schemas pydantic generates --------------------------------------------------------


class Kind(StrEnum):
    A = "a"
    B = "b"


class NarrowKind(StrEnum):
    A = "a"


class Slot(BaseModel):
    start: date
    part: Kind


class V1(BaseModel):
    id: UUID
    slots: list[Slot] = Field(min_length=1)
    note: str | None = None


class V1Additive(V1):
    extra: int | None = None
    kinds: list[Kind] = Field(default_factory=list)


class NarrowSlot(BaseModel):
    start: date
    part: NarrowKind


class V1Narrowed(BaseModel):
    id: UUID
    slots: list[NarrowSlot] = Field(min_length=2)
    note: str


def test_pydantic_additive_change_is_compatible() -> None:
    assert breaking_changes(V1.model_json_schema(), V1Additive.model_json_schema()) == []


def test_pydantic_narrowing_changes_are_all_found() -> None:
    changes = breaking_changes(V1.model_json_schema(), V1Narrowed.model_json_schema())
    assert any(c.startswith("slots[].part: narrowed enum: 'b'") for c in changes), changes
    assert any(c.startswith("slots: tightened constraint: minItems 1 → 2") for c in changes)
    assert any("'note' became required" in c for c in changes)
    assert any(c.startswith("note: narrowed type") for c in changes)
    assert len(changes) == 4, changes


class Scores(BaseModel):
    scores: dict[
        Annotated[str, StringConstraints(pattern="^[a-z]+$")], Annotated[float, Field(le=100)]
    ]


class TighterScores(BaseModel):
    scores: dict[
        Annotated[str, StringConstraints(pattern="^[a-z]+$")], Annotated[float, Field(le=50)]
    ]


def test_pydantic_pattern_properties_are_compared() -> None:
    old, new = Scores.model_json_schema(), TighterScores.model_json_schema()
    assert "patternProperties" in old["properties"]["scores"]
    assert breaking_changes(old, copy.deepcopy(old)) == []
    only(breaking_changes(old, new), "scores{^[a-z]+$}", "maximum 100 → 50")
    assert breaking_changes(new, old) == []


def test_a_new_pattern_property_constrains_values_that_were_free() -> None:
    old = with_property(BASE, "m", {"type": "object"})
    new = with_property(BASE, "m", {"type": "object", "patternProperties": {"^x": INTEGER}})
    only(breaking_changes(old, new), "m{^x}", "narrowed")
