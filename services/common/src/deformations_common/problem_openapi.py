"""Every service's OpenAPI document tells its errors as they are: problem details.

FastAPI documents a 422 as its own JSON (``HTTPValidationError``), while the services answer
every error as RFC 9457 problem details (``application/problem+json``, ``errors.py``). The
document is rewritten once, when first asked for: each 4xx/5xx response an operation
declares becomes the one ``Problem`` schema, and the operations of the JSON API also
declare ``4XX`` and ``5XX`` with it (pages for people keep their HTML errors).
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from deformations_common.errors import PROBLEM_JSON

_REF = "#/components/schemas/"
PROBLEM = "Problem"
ISSUE = "ValidationIssue"

SCHEMAS: dict[str, dict[str, Any]] = {
    PROBLEM: {
        "title": PROBLEM,
        "description": (
            "Problem details (RFC 9457). `detail` is French, for people; `code` is stable, "
            "for programs; a 422 of schema validation lists its `errors`. Other members "
            "may follow (`retry_after_s`, `max_bytes`…)."
        ),
        "type": "object",
        "properties": {
            "type": {"type": "string", "description": "A URI naming the kind of problem."},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong, in French."},
            "instance": {"type": "string", "description": "The path of the request."},
            "code": {"type": "string", "description": "A stable code (`not_found`…)."},
            "errors": {"type": "array", "items": {"$ref": f"{_REF}{ISSUE}"}},
            "retry_after_s": {"type": "integer", "minimum": 0},
        },
        "required": ["type", "title", "status"],
        "additionalProperties": True,
    },
    ISSUE: {
        "title": ISSUE,
        "description": "One schema-validation error: where (`loc`), why (French `msg`).",
        "type": "object",
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string", "description": "Pydantic's error type."},
        },
        "required": ["loc", "msg", "type"],
    },
}
_FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": f"{_REF}{PROBLEM}"}}},
    }


def _is_error(status: str) -> bool:
    return status[:1] in ("4", "5")


def _is_page(responses: dict[str, Any]) -> bool:
    return any("text/html" in r.get("content", {}) for r in responses.values())


def rewrite(document: dict[str, Any]) -> dict[str, Any]:
    """The document with problem details for every error response (changed in place)."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            page = _is_page(responses)
            for status, response in responses.items():
                if _is_error(status) and not (page and "text/html" in response.get("content", {})):
                    description = response.get("description") or "Problème"
                    if status == "422" and description == "Validation Error":
                        description = "La requête ne correspond pas au schéma attendu."
                    responses[status] = _problem_response(description)
            if not page:
                responses.setdefault("4XX", _problem_response("Requête refusée (RFC 9457)."))
                responses.setdefault("5XX", _problem_response("Service indisponible (RFC 9457)."))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(SCHEMAS)
    return document


def document_problems(app: FastAPI) -> None:
    """Make ``app.openapi()`` answer the rewritten document."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = rewrite(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
