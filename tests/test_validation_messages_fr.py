"""Every validator of a request model speaks French to the person it refuses.

A 422 lists each error with a French ``msg`` (``deformations_common.validation_fr``): the
sentence of pydantic's error type, and for a ``ValueError`` raised by a service's own
validator, that error's text as it is. So those texts must be French. The models are not
listed by hand: they are read from the routes of each service's app (bodies and query
parameters, nested models and ``Annotated`` validators included), so a validator added
tomorrow is checked too. Event contracts' validators are not reached from a request:
only programs see their messages, which stay English.
"""

import ast
import importlib
import inspect
import re
import textwrap
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_common.validation_fr import MESSAGES

APPS = ("diagnosis", "lending", "matching", "notifications", "training", "statistics", "portal")

# Words of English messages; none is a French word (« invalide », not « invalid »).
ENGLISH = re.compile(
    r"\b(the|must|should|needs?|is|are|at least|before|after|ends|starts|only|cannot|"
    r"invalid|unknown|required|between|and|or)\b",
    re.IGNORECASE,
)


def app_of(name: str) -> FastAPI:
    settings = importlib.import_module(f"deformations_{name}.settings")
    definition = importlib.import_module(f"deformations_{name}.app").definition
    settings_cls = getattr(settings, f"{name.capitalize()}Settings")
    return create_app(definition(settings_cls(environment=Environment.DEV)))


def _types_of(annotation: Any) -> Iterator[Any]:
    """The annotation and what it is made of: a list's items, a union's members, an
    ``Annotated``'s type and metadata."""
    yield annotation
    for argument in typing.get_args(annotation):
        yield from _types_of(argument)
    yield from getattr(annotation, "__metadata__", ())


def _function(validator: Any) -> Callable[..., Any] | None:
    func = getattr(validator, "func", None)
    func = getattr(func, "__func__", func)  # a classmethod's function
    return func if callable(func) else None


def _validators(annotation: Any, seen: set[type], found: dict[str, Callable[..., Any]]) -> None:
    for part in _types_of(annotation):
        func = _function(part)  # AfterValidator, BeforeValidator… in Annotated metadata
        if func is not None:
            found[f"{func.__module__}.{func.__qualname__}"] = func
        if not (isinstance(part, type) and issubclass(part, BaseModel)) or part in seen:
            continue
        seen.add(part)
        decorators = part.__pydantic_decorators__
        by_field, by_model = decorators.field_validators, decorators.model_validators
        for declared in (*by_field.values(), *by_model.values()):
            func = _function(declared)
            if func is not None:
                found[f"{part.__module__}.{part.__qualname__}.{declared.cls_var_name}"] = func
        for field in part.model_fields.values():
            _validators(field.annotation, seen, found)
            for item in field.metadata:
                _validators(item, seen, found)


def _params(dependant: Dependant) -> Iterator[Any]:
    for param in (*dependant.body_params, *dependant.query_params):
        yield param.field_info.annotation
        yield from param.field_info.metadata
    for sub in dependant.dependencies:
        yield from _params(sub)


def request_validators(app: FastAPI) -> dict[str, Callable[..., Any]]:
    """The validators a request to ``app`` may run, by qualified name."""
    found: dict[str, Callable[..., Any]] = {}
    seen: set[type] = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            for annotation in _params(context.dependant):
                _validators(annotation, seen, found)
    return found


def _text(node: ast.expr) -> str | None:
    """The words of a literal or f-string message (its placeholders left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) or " " for v in node.values)
    if isinstance(node, ast.BinOp):
        return f"{_text(node.left) or ''} {_text(node.right) or ''}"
    return None


def shown_messages(func: Callable[..., Any]) -> list[str]:
    """The messages ``func`` raises that reach people: a ``ValueError``'s text, or a
    ``PydanticCustomError``'s when its type has no French sentence of its own."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    messages = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        called, args = node.exc.func, node.exc.args
        name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", "")
        if name == "ValueError" and args:
            messages.append(_text(args[0]) or "")
        elif name == "PydanticCustomError" and len(args) >= 2:
            kind = _text(args[0])
            if kind not in MESSAGES:
                messages.append(_text(args[1]) or "")
    return messages


@pytest.mark.parametrize("name", APPS)
def test_the_validators_of_requests_raise_french_messages(name: str) -> None:
    english = {
        qualified: message
        for qualified, func in request_validators(app_of(name)).items()
        for message in shown_messages(func)
        if ENGLISH.search(message) or not message.strip()
    }
    assert english == {}, f"{name}: say these in French (they reach people in a 422)"


def test_the_scan_reaches_nested_models_annotated_validators_and_their_messages() -> None:
    """What makes the test above able to fail: it sees the validators of a nested model
    and of a wall-clock time, and reads an English message where there is one."""
    notifications = request_validators(app_of("notifications"))
    assert "deformations_notifications.api.recipients.QuietHoursBody._known_zone" in notifications
    assert "deformations_common.wall_clock._without_offset" in notifications
    assert shown_messages(notifications["deformations_common.wall_clock._without_offset"])
    matching = request_validators(app_of("matching"))
    assert "deformations_matching.service.cafes.CafeIn._coherent" in matching

    def english(value: int) -> int:
        if value < 0:
            raise ValueError(f"the value {value} must be positive")
        return value

    [message] = shown_messages(english)
    assert ENGLISH.search(message)
