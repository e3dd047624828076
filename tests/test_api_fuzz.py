"""Every service's HTTP API fuzzed from its own OpenAPI document (Schemathesis).

Each service is served on a real port against the real PostgreSQL and RabbitMQ, and every
operation of its OpenAPI is called with a few generated requests, valid and invalid, under
a token of the service's audience that holds every role. Whatever the input:

- the service never answers 5xx (bad input is the caller's fault: a clear 4xx);
- a response conforms to the schema the service documents for its status, if any;
- every 4xx of the JSON API is problem details (RFC 9457, ``application/problem+json``).

The examples are few per operation and their seed fixed (``derandomize``), so a run is
the same run every time and the whole file stays within a few minutes on two cores.
``make fuzz`` runs just this file.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from browser import serving
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
)

from deformations_common.auth import Role, issue_dev_token
from deformations_common.errors import PROBLEM_JSON
from deformations_common.service import create_app
from deformations_common.settings import ServiceSettings
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    free_port,
    isolated_settings,
)

pytestmark = pytest.mark.integration

SERVICES = (
    "diagnosis",
    "lending",
    "matching",
    "notifications",
    "training",
    "statistics",
    "portal",
)
# Generated requests per operation and per mode (valid, then invalid input); a deeper run
# locally: FUZZ_EXAMPLES=50 make fuzz.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
AUTHORITY = "200040715"  # a real-looking SIREN, as collectivités have
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)

# Operations left out, (service, METHOD, path) -> the finding that keeps them out until it
# is fixed. Empty: every finding so far was fixed in its service.
EXCLUDED: dict[tuple[str, str, str], str] = {}


@dataclass
class Served:
    name: str
    url: str
    settings: ServiceSettings

    def token(self) -> str:
        """A token of the service's audience holding every role, acting for a collectivité:
        the requests reach the use cases instead of stopping at the door."""
        return issue_dev_token(
            self.settings, str(uuid.uuid4()), authority=AUTHORITY, roles=[r.value for r in Role]
        )


def _settings(name: str, infra: Infra, database_url: str, namespace: str, port: int) -> Any:
    module = importlib.import_module(f"deformations_{name}.settings")
    settings_cls = getattr(module, f"{name.capitalize()}Settings")
    overrides: dict[str, Any] = {"http_port": port}
    if name == "portal":
        url = f"http://127.0.0.1:{port}"
        overrides |= {"public_url": url, "app_url": url, "smtp_port": 1}
    return isolated_settings(settings_cls, infra, database_url, namespace, name, **overrides)


@pytest.fixture(params=SERVICES)
async def served(
    request: pytest.FixtureRequest, infra: Infra, database_url: str, namespace: str
) -> AsyncIterator[Served]:
    name: str = request.param
    port = free_port()
    settings = _settings(name, infra, database_url, namespace, port)
    definition = importlib.import_module(f"deformations_{name}.app").definition(settings)
    app = create_app(definition)
    async with serving(app, port, name):
        yield Served(name, f"http://127.0.0.1:{port}", settings)
    handlers = definition.handlers
    await delete_broker_objects(
        infra.amqp_url, settings, handlers.subscriptions if handlers else []
    )


def problem_details(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A 4xx of the JSON API is problem details: the media type and its members."""
    if not 400 <= response.status_code < 500 or _html(case):
        return
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    assert media_type == PROBLEM_JSON, f"a {response.status_code} as {media_type!r}"
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("status") == response.status_code, body
    assert isinstance(body.get("title"), str) and body["title"], body
    assert isinstance(body.get("type"), str) and body["type"], body


def _html(case: schemathesis.Case) -> bool:
    """Pages for people (unsubscribe, reply from an e-mail): their errors are pages."""
    responses = case.operation.definition.raw.get("responses", {})
    return any("text/html" in r.get("content", {}) for r in responses.values())


CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    response_schema_conformance,
    negative_data_rejection,
    problem_details,
]


def fuzz(served: Served) -> list[str]:
    """Every operation of the service, fuzzed; the failures found, one text each."""
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    headers = {"Authorization": f"Bearer {served.token()}"}
    failures: list[str] = []
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (served.name, operation.method.upper(), operation.path)
        if key in EXCLUDED:
            continue
        for mode in MODES:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(
                    base_url=served.url,
                    session=session,
                    headers=headers,
                    checks=CHECKS,
                    timeout=30,
                )

            try:
                call()
            except Unsatisfiable:
                # Nothing to make invalid: no input, or only strings a path takes as is.
                assert mode is schemathesis.GenerationMode.NEGATIVE, key
            except (Exception, FailureGroup) as failure:
                failures.append(f"{' '.join(key[1:])} ({mode.value}): {failure}")
    return failures


async def test_no_input_breaks_the_api(served: Served) -> None:
    failures = await asyncio.to_thread(fuzz, served)
    assert not failures, f"{served.name}: {len(failures)} failure(s)\n\n" + "\n\n".join(failures)
