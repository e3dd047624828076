"""The portal and one service side by side on real ports, as deployed: the service
verifies the portal's tokens against its JWKS, the portal calls the service's API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from deformations_common.settings import Environment, ServiceSettings
from deformations_devtools.testing import Infra, free_port, isolated_settings
from deformations_portal.settings import PortalSettings

S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True)
class Pair(Generic[S]):
    url: str  # the portal's
    portal_port: int
    portal: PortalSettings
    service_port: int
    service: S


def pair_settings(
    infra: Infra,
    database_url: str,
    namespace: str,
    name: str,
    settings_cls: type[S],
    **service_overrides: Any,
) -> Pair[S]:
    """Settings of the portal (dev sign-in on) and of service ``name`` beside it."""
    portal_port, service_port = free_port(), free_port()
    url = f"http://127.0.0.1:{portal_port}"
    portal = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        http_port=portal_port,
        public_url=url,
        app_url=url,
        smtp_port=1,
        environment=Environment.DEV,
        service_urls={name: f"http://127.0.0.1:{service_port}"},
    )
    service = isolated_settings(
        settings_cls,
        infra,
        database_url,
        namespace,
        name,
        http_port=service_port,
        jwt_jwks_url=f"{url}/.well-known/jwks.json",
        jwt_issuer=portal.issuer,
        jwt_audience=name,
        **service_overrides,
    )
    return Pair(url, portal_port, portal, service_port, service)
