"""Settings of the portal, read from the environment (plain names, no prefix)."""

import tomllib
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr

from deformations_common.action_links import DEV_LINK_SIGNING_KEY
from deformations_common.settings import Environment, ServiceSettings
from deformations_portal.domain.platform import Platform

PROCONNECT_SCOPES = "openid email given_name usual_name siret uid"

# The services the portal calls with the person's token: name -> base URL. Each service
# verifies tokens issued for its own audience (its JWT_AUDIENCE, here its name).
DEFAULT_SERVICE_URLS = {
    "diagnosis": "http://127.0.0.1:8001",
    "matching": "http://127.0.0.1:8002",
    "lending": "http://127.0.0.1:8003",
    "notifications": "http://127.0.0.1:8004",
}


class PortalSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = (
        "session_secret",
        "token_signing_key",
        "link_signing_key",
    )
    service_name: str = Field(default="portal", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8005
    public_url: str = "http://127.0.0.1:8005"
    # The address people reach the site at (links in mails, OIDC redirect URI).
    app_url: str = "http://127.0.0.1:8005"

    # OpenID Connect (ProConnect in production, any provider by configuration alone).
    oidc_discovery_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = PROCONNECT_SCOPES
    # The name of the sign-in button: « ProConnect » or the provider's own.
    oidc_provider_name: str = "ProConnect"

    # Signs nothing itself: session ids are random, stored hashed. It keys the HMAC of
    # sign-in link tokens and CSRF tokens. Required outside dev and tests.
    session_secret: SecretStr | None = None
    # The RS256 private key (PEM) of the token issuer. Outside production, when absent,
    # one is generated once and kept in the portal's schema.
    token_signing_key: SecretStr | None = None
    token_issuer: str | None = None
    # Shared with notifications: verifies the signed action links of the loan mails.
    link_signing_key: SecretStr | None = None
    token_ttl_s: int = Field(default=300, ge=30, le=300)
    service_urls: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SERVICE_URLS))
    # Audience per service when it differs from the service's name.
    service_audiences: dict[str, str] = Field(default_factory=dict)
    service_timeout_s: float = Field(default=3.0, gt=0)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65_535)
    mail_from: str = "Déformations <ne-pas-repondre@deformations.example.org>"
    # The domain of calendar UIDs: notifications' MAIL_DOMAIN, so that « Mon agenda »'s
    # file and the mailed invitations name each session as one event.
    mail_domain: str = "deformations.example.org"

    sign_in_link_minutes: int = Field(default=15, ge=1, le=15)
    # Sign-in links asked in the last hour, per address and per client address.
    links_per_address_per_hour: int = Field(default=5, ge=1)
    links_per_ip_per_hour: int = Field(default=20, ge=1)
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    # The collectivité an operator made by `create-operator` acts for.
    operator_siren: str = Field(default="200040509", pattern=r"^[0-9]{9}$")

    def load_platform(self) -> Platform:
        """The platform of PLATFORM_FILE (name, logo, colours, legal entity, contacts and
        territory; without it, a neutral one covering the whole country), checked (WCAG AA
        palette, known région): raises when misconfigured."""
        if not self.platform_file:
            platform = Platform()
            platform.check()
            return platform
        with Path(self.platform_file).open("rb") as source:
            return Platform.from_mapping(tomllib.load(source))

    @property
    def issuer(self) -> str:
        return self.token_issuer or self.public_url.rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies everywhere but a plain-http local address."""
        return self.app_url.startswith("https://")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_discovery_url and self.oidc_client_id)

    def oidc_form_targets(self) -> str:
        """Where forms may lead besides the site: the provider (its login and logout)."""
        if not self.oidc_discovery_url:
            return ""
        parts = self.oidc_discovery_url.split("/")
        return "/".join(parts[:3]) if len(parts) >= 3 else ""

    def audience_of(self, service: str) -> str:
        return self.service_audiences.get(service, service)

    def link_key(self) -> bytes:
        if self.link_signing_key is not None:
            return self.link_signing_key.get_secret_value().encode()
        if self.environment is Environment.PRODUCTION:
            raise RuntimeError("LINK_SIGNING_KEY is required in production")
        return DEV_LINK_SIGNING_KEY

    def hmac_key(self) -> bytes:
        if self.session_secret is not None:
            return self.session_secret.get_secret_value().encode()
        if self.environment is Environment.PRODUCTION:
            raise RuntimeError("SESSION_SECRET is required in production")
        return b"deformations-portal-dev-secret-not-for-production"
