"""The anonymous endpoints of diagnosis and notifications declare a rate limit, and each
declaration names a route that exists (a renamed route would silently lose its limit)."""

from collections.abc import Iterator, Sequence

import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from deformations_common.service import ServiceDefinition
from deformations_common.settings import Environment
from deformations_diagnosis.app import definition as diagnosis
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_notifications.app import definition as notifications
from deformations_notifications.settings import NotificationsSettings

EXPECTED = {
    "diagnosis": {"/quiz", "/c/{token}", "/v1/responses"},
    "notifications": {"/v1/unsubscribe", "/v1/relay/reply", "/v1/relay/report"},
}


def _definitions() -> dict[str, ServiceDefinition]:  # type: ignore[type-arg]
    return {
        "diagnosis": diagnosis(DiagnosisSettings(environment=Environment.TEST)),
        "notifications": notifications(NotificationsSettings(environment=Environment.TEST)),
    }


def _routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    """Every route with its full path, through included routers (which FastAPI keeps
    nested and resolves lazily)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes, prefix + route.include_context.prefix)  # type: ignore[attr-defined]
        else:
            yield prefix + getattr(route, "path", ""), route


@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_anonymous_endpoints_are_rate_limited(service: str) -> None:
    definition = _definitions()[service]
    assert {limit.path for limit in definition.rate_limits} == EXPECTED[service]
    posts = {
        path
        for router in definition.routers
        for path, route in _routes(router.routes)
        if isinstance(route, APIRoute) and "POST" in route.methods
    }
    for limit in definition.rate_limits:
        assert limit.path in posts, f"{service}: no POST route {limit.path}"
        assert limit.pattern().match(limit.path.replace("{token}", "abc"))
