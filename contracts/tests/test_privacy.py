"""Events carry identifiers, never contact details (DESIGN §3, §5)."""

import json
import re
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from deformations_contracts.base import EventData
from deformations_contracts.registry import EVENTS, examples

FORBIDDEN = re.compile(
    r"e_?mail|mail|phone|tel(ephone)?$|mobile|name|nom|prenom|surname|address|adresse|street"
    r"|birth|naissance|iban|postal|zip",
)
ALLOWED = {"timezone"}


def nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (Union, types.UnionType, list, dict) or get_args(annotation):
        return [model for arg in get_args(annotation) for model in nested_models(arg)]
    return []


def field_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for name, field in model.model_fields.items():
        paths.append(prefix + name)
        for nested in nested_models(field.annotation):
            paths += field_paths(nested, f"{prefix}{name}.")
    return paths


def test_the_guard_sees_nested_fields() -> None:
    paths = field_paths(EVENTS["match.proposed.v1"])
    assert "rounds.pairings.first" in paths
    assert "slot.timezone" in paths


def test_no_field_name_suggests_contact_data(model: type[EventData]) -> None:
    suspicious = [
        path
        for path in field_paths(model)
        if path.rsplit(".", 1)[-1] not in ALLOWED and FORBIDDEN.search(path.rsplit(".", 1)[-1])
    ]
    assert suspicious == []


def test_the_guard_would_catch_contact_fields() -> None:
    for name in ("email", "agent_name", "phone_number", "postal_address", "lastname", "prenom"):
        assert FORBIDDEN.search(name), name


def test_examples_carry_no_email_address_or_phone_number() -> None:
    for key in EVENTS:
        text = json.dumps(examples(key), ensure_ascii=False)
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), key
        assert not re.search(r"(?:\+33|\b0)[1-9](?:[ .-]?\d{2}){4}\b", text), key
