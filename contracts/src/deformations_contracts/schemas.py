"""JSON Schemas (draft 2020-12) of the event data, as committed under ``contracts/schemas/``."""

import json
from typing import Any

from deformations_contracts.base import EventData
from deformations_contracts.registry import EVENTS

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_of(model: type[EventData]) -> dict[str, Any]:
    """The JSON Schema of one event's data, with its dialect and its ``$id``."""
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = model.dataschema()
    return schema


def render(schema: dict[str, Any]) -> str:
    """Stable text of a schema: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def file_name(routing_key: str) -> str:
    return f"{routing_key}.json"


def generated() -> dict[str, str]:
    """Every schema file the models define: file name → text."""
    return {file_name(key): render(schema_of(model)) for key, model in sorted(EVENTS.items())}
