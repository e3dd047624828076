"""What the authorisation walk needs: every route of an app that changes state, concrete
paths for them, the tokens a caller cannot be trusted with, and a fingerprint of a
service's database to tell that nothing changed."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from deformations_common.auth import current_principal, issue_dev_token, optional_principal
from deformations_common.service import Runtime
from deformations_common.settings import ServiceSettings

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Claims that would pass every role and collectivité check: a refusal can then only come
# from the token itself.
ALL_ROLES = ("elected", "agent", "hr", "trainer", "operator")
CREST = "212601082"
SOMEONE = "walk-person"


@dataclass(frozen=True)
class MutatingRoute:
    method: str
    path: str
    # Whether the route reads a bearer token (required or optional) when one is given.
    reads_token: bool
    requires_token: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def _calls(dependant: Dependant) -> set[Any]:
    found = {d.call for d in dependant.dependencies if d.call is not None}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def mutating_routes(app: FastAPI) -> list[MutatingRoute]:
    """Every (method, path) that may change state, included routers walked (FastAPI keeps
    included routers as lazy branches: ``iter_route_contexts`` flattens them)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        methods = (context.methods or set()) & MUTATING
        if not methods:
            continue
        assert isinstance(route, APIRoute), f"{context.path}: a mutating route outside FastAPI"
        calls = _calls(context.dependant)
        for method in sorted(methods):
            found.append(
                MutatingRoute(
                    method,
                    str(context.path),
                    reads_token=bool(calls & {current_principal, optional_principal}),
                    requires_token=current_principal in calls,
                )
            )
    return found


_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
A_UUID = "00000000-0000-4000-8000-00000000000a"


def _sample(name: str) -> str:
    if name == "respondent":
        return "borrower"
    if name.endswith("id"):
        return A_UUID
    if name.endswith("siren"):
        return CREST
    if name == "year":
        return "2026"
    return "walk"


def concrete(path: str) -> str:
    """The path with a plausible value in each parameter (ids that exist nowhere)."""
    return _PARAMETER.sub(lambda m: _sample(m[1]), path)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def untrusted_tokens(settings: ServiceSettings) -> dict[str, str]:
    """Tokens with every right in their claims that the service must not believe."""
    claims: dict[str, Any] = {"authority": CREST, "roles": ALL_ROLES}
    other_audience = settings.model_copy(update={"jwt_audience": "another-service"})
    now = jwt.decode(issue_dev_token(settings, SOMEONE), options={"verify_signature": False})["iat"]
    forged = {
        "sub": SOMEONE,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 300,
        **claims,
        "roles": list(ALL_ROLES),
    }
    return {
        "expired": issue_dev_token(settings, SOMEONE, ttl=timedelta(seconds=-1), **claims),
        "another audience": issue_dev_token(other_audience, SOMEONE, **claims),
        "forged signature": jwt.encode(
            forged, "a-key-that-is-not-the-issuers-0123456789", algorithm="HS256"
        ),
        "unsigned": jwt.encode(forged, None, algorithm="none"),
        "no subject": jwt.encode(
            {k: v for k, v in forged.items() if k != "sub"},
            settings.dev_jwt_secret(),
            algorithm="HS256",
        ),
    }


async def fingerprint(runtime: Runtime[Any]) -> dict[str, str]:
    """A digest of every table of the service's schema. The outbox counts by the events
    ever enqueued (its sequence): the relay deletes and parks rows on its own."""
    schema = runtime.settings.schema_name
    async with runtime.pool.acquire() as conn:
        tables = await conn.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
            schema,
        )
        digests = {}
        for (table,) in tables:
            if table == "outbox":
                query = f"SELECT last_value || ':' || is_called FROM \"{schema}\".outbox_seq_seq"
            else:
                query = (
                    "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, chr(10)"
                    f' ORDER BY t::text), \'\')) FROM "{schema}"."{table}" t'
                )
            digests[table] = await conn.fetchval(query)
    return digests


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


# A month ahead: far enough to be a future date, near enough for any bounded horizon.
_SOON = datetime.now(UTC) + timedelta(days=30)
_STRINGS = {
    "uuid": A_UUID,
    "date-time": _SOON.isoformat(timespec="seconds"),
    "date": _SOON.date().isoformat(),
    "time": "10:00:00",
    "email": "walk@example.org",
    "uri": "https://example.org/walk",
}


# Values for the patterns the services declare (SIREN, INSEE code, département, time of
# day, address, URL, theme code, slug): the first one a pattern accepts is taken.
_PATTERNED = (
    CREST,
    "26011",
    "26",
    "10:00",
    "walk@example.org",
    "https://example.org/walk",
    "t01_walk",
    "walk",
)


def example(schema: dict[str, Any], document: dict[str, Any], name: str = "") -> Any:
    """A value the schema accepts, so that a request passes validation and meets the
    service's authorisation (the first of each choice, the least of each range)."""
    schema = _resolve(schema, document)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for choice in ("anyOf", "oneOf", "allOf"):
        if choice in schema:
            options = [o for o in schema[choice] if _resolve(o, document).get("type") != "null"]
            return example((options or schema[choice])[0], document, name)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type", "object")
    if kind == "object":
        return {
            key: example(value, document, key)
            for key, value in schema.get("properties", {}).items()
            if key in schema.get("required", ())
        }
    if kind == "array":
        return [example(schema.get("items", {}), document, name)] * schema.get("minItems", 0)
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        least = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        return max(least, 1)
    if schema.get("format") in _STRINGS:
        return _STRINGS[schema["format"]]
    if "pattern" in schema:
        return next(c for c in (_sample(name), *_PATTERNED) if re.search(schema["pattern"], c))
    if name == "event_types":
        return "*"
    text = _sample(name)
    least, most = schema.get("minLength", 0), schema.get("maxLength", 200)
    return (text * (least // len(text) + 1))[: max(least, min(len(text), most))]


# Long past: any rule about dates refuses it.
_PAST = datetime(2001, 1, 8, 9, tzinfo=UTC)


def past_dated(body: Any) -> Any:
    """The example body with its dates in the past: the service's rules refuse it (422),
    but only after its rights refused a stranger, who learns nothing from the body."""
    if isinstance(body, dict):
        return {key: past_dated(value) for key, value in body.items()}
    if isinstance(body, list):
        return [past_dated(value) for value in body]
    if body == _STRINGS["date-time"]:
        return _PAST.isoformat(timespec="seconds")
    if body == _STRINGS["date"]:
        return _PAST.date().isoformat()
    return body


def request_body(app: FastAPI, method: str, path: str) -> Any:
    """A body the route's own schema accepts (``{}`` where it takes none)."""
    document = app.openapi()
    operation = document["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return example(content["schema"], document) if content else {}
