"""Beside the issuer's JWKS, the dev issuer's tokens are accepted in dev and nowhere else."""

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from deformations_common.auth import TokenVerifier, issue_dev_token
from deformations_common.errors import Unauthorized
from deformations_common.settings import Environment, ServiceSettings

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Signing:
    key = KEY.public_key()


def _portal_token(audience: str) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": "p1",
        "iss": "http://portal.test",
        "aud": audience,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "roles": ["hr"],
    }
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k"})


def _verifier(environment: Environment) -> TokenVerifier:
    settings = ServiceSettings(
        environment=environment,
        jwt_jwks_url="http://portal.test/.well-known/jwks.json",
        jwt_issuer="http://portal.test",
        jwt_audience="lending",
    )
    return TokenVerifier(settings)


@pytest.fixture(autouse=True)
def _jwks() -> Any:
    with patch.object(jwt.PyJWKClient, "get_signing_key_from_jwt", return_value=_Signing()):
        yield


def test_in_dev_both_the_portal_tokens_and_the_dev_issuer_tokens_pass() -> None:
    verifier = _verifier(Environment.DEV)
    assert verifier.verify(_portal_token("lending")).sub == "p1"
    dev = issue_dev_token(ServiceSettings(environment=Environment.DEV), "demo", roles=["hr"])
    assert verifier.verify(dev).roles == frozenset({"hr"})


def test_the_portal_token_of_another_audience_is_refused() -> None:
    with pytest.raises(Unauthorized):
        _verifier(Environment.DEV).verify(_portal_token("matching"))


def test_outside_dev_the_dev_issuer_token_is_refused() -> None:
    dev = issue_dev_token(ServiceSettings(environment=Environment.DEV), "demo", roles=["hr"])
    verifier = _verifier(Environment.TEST)
    assert verifier.verify(_portal_token("lending")).sub == "p1"
    with pytest.raises(Unauthorized):
        verifier.verify(dev)
