"""Settings: no secret defaults in production; SMTP and retry settings reach the adapters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr, ValidationError

from deformations_common.action_links import DEV_LINK_SIGNING_KEY
from deformations_common.settings import Environment
from deformations_notifications.settings import DEV_TOKEN_SECRET, NotificationsSettings

JWKS = "https://auth.example.org/certs"
AUTH = {"jwt_jwks_url": JWKS, "jwt_issuer": "https://auth.example.org", "jwt_audience": "x"}


def test_production_needs_its_own_token_secret() -> None:
    with pytest.raises(ValidationError, match="TOKEN_SECRET"):
        NotificationsSettings(environment=Environment.PRODUCTION, **AUTH)
    settings = NotificationsSettings(
        environment=Environment.PRODUCTION,
        **AUTH,
        token_secret=SecretStr("a-long-random-secret"),
        link_signing_key=SecretStr("another-long-random-key"),
    )
    assert settings.secret() == b"a-long-random-secret"
    assert NotificationsSettings(environment=Environment.DEV).secret() == DEV_TOKEN_SECRET.encode()


def test_production_needs_the_portal_s_link_signing_key() -> None:
    with pytest.raises(ValidationError, match="LINK_SIGNING_KEY"):
        NotificationsSettings(
            environment=Environment.PRODUCTION,
            **AUTH,
            token_secret=SecretStr("a-long-random-secret"),
        )
    assert NotificationsSettings(environment=Environment.DEV).link_key() == DEV_LINK_SIGNING_KEY


def test_smtp_and_retry_settings() -> None:
    settings = NotificationsSettings(
        environment=Environment.DEV,
        smtp_host="smtp.example.org",
        smtp_port=587,
        smtp_starttls=True,
        smtp_username="notifications",
        smtp_password=SecretStr("secret"),
        retry_base_s=10,
        retry_max_attempts=3,
        public_url="https://notifications.example.org/",
    )
    smtp = settings.smtp()
    assert (smtp.host, smtp.port, smtp.starttls, smtp.password) == (
        "smtp.example.org",
        587,
        True,
        "secret",
    )
    policy = settings.retry_policy()
    assert (policy.base, policy.max_attempts) == (timedelta(seconds=10), 3)
    assert settings.unsubscribe_url == "https://notifications.example.org/v1/unsubscribe"
