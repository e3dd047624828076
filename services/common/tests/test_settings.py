"""Fail closed: production is the default and refuses to run on dev or missing auth."""

import pytest
from pydantic import SecretStr, ValidationError

from deformations_common import cli
from deformations_common.auth import TokenVerifier, issue_dev_token
from deformations_common.service import ServiceDefinition
from deformations_common.settings import (
    DEV_JWT_SECRET,
    Environment,
    InsecureConfiguration,
    ServiceSettings,
)

AUTH = {
    "jwt_jwks_url": "https://auth.example.org/certs",
    "jwt_issuer": "https://auth.example.org",
    "jwt_audience": "deformations-lending",
}


class WithTokenSecret(ServiceSettings):
    required_secrets = ("token_secret",)
    token_secret: SecretStr | None = None


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ENVIRONMENT", "JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_production_is_the_default_and_needs_real_auth() -> None:
    with pytest.raises(ValidationError) as caught:
        ServiceSettings()
    message = str(caught.value)
    for variable in ("JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "ENVIRONMENT=dev"):
        assert variable in message
    settings = ServiceSettings(**AUTH)
    assert settings.environment is Environment.PRODUCTION
    assert not settings.dev_shortcuts


@pytest.mark.parametrize(
    ("missing", "word"),
    [("jwt_jwks_url", "JWT_JWKS_URL"), ("jwt_issuer", "JWT_ISSUER"), ("jwt_audience", "AUDIENCE")],
)
def test_production_refuses_each_missing_auth_setting(missing: str, word: str) -> None:
    values = {k: v for k, v in AUTH.items() if k != missing}
    with pytest.raises(ValidationError, match=word):
        ServiceSettings(**values)


def test_production_refuses_the_dev_issuer_and_its_secret() -> None:
    with pytest.raises(ValidationError, match="not the dev issuer"):
        ServiceSettings(**{**AUTH, "jwt_issuer": "deformations-dev"})
    with pytest.raises(ValidationError, match="JWT_SECRET belongs to the dev issuer"):
        ServiceSettings(**AUTH, jwt_secret=SecretStr(DEV_JWT_SECRET))
    with pytest.raises(InsecureConfiguration):
        ServiceSettings(**AUTH).dev_jwt_secret()
    with pytest.raises(InsecureConfiguration):
        issue_dev_token(ServiceSettings(**AUTH), "someone")


def test_production_refuses_missing_short_or_published_secrets() -> None:
    with pytest.raises(ValidationError, match="TOKEN_SECRET is required"):
        WithTokenSecret(**AUTH)
    for published in ("change-me-to-a-long-random-value", "notifications-dev-token-secret"):
        with pytest.raises(ValidationError, match="published placeholder"):
            WithTokenSecret(**AUTH, token_secret=SecretStr(published))
    with pytest.raises(ValidationError, match="at least 16"):
        WithTokenSecret(**AUTH, token_secret=SecretStr("short"))
    assert WithTokenSecret(**AUTH, token_secret=SecretStr("x7Qp2vLk9sT4wZ8mR3nB")).token_secret


def test_dev_only_with_an_explicit_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "dev")
    settings = ServiceSettings()
    assert settings.dev_shortcuts
    token = issue_dev_token(settings, "person-1", roles=["elected"])
    assert TokenVerifier(settings).verify(token).sub == "person-1"
    # Tests run as ``test``: the dev issuer is theirs too.
    assert ServiceSettings(environment=Environment.TEST).dev_jwt_secret() == DEV_JWT_SECRET


def test_a_production_service_refuses_to_start_with_a_clear_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def definition() -> ServiceDefinition[ServiceSettings]:
        return ServiceDefinition(settings=ServiceSettings(), title="t")

    assert cli.run(definition, ["serve"]) == 2
    error = capsys.readouterr().err
    assert "cannot start" in error and "JWT_JWKS_URL is required" in error
    assert "Traceback" not in error
