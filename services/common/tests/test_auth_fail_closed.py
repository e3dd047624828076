"""The issuer's tokens are believed only when everything about them holds: signature by
the JWKS's key with RS256, issuer, audience, subject, and a life of 5 minutes at most."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from deformations_common.auth import MAX_TOKEN_LIFETIME_S, TokenVerifier
from deformations_common.errors import Unauthorized
from deformations_common.settings import Environment, ServiceSettings

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ISSUER = "http://portal.test"


class _Signing:
    key = KEY.public_key()


@pytest.fixture(autouse=True)
def _jwks() -> Any:
    with patch.object(jwt.PyJWKClient, "get_signing_key_from_jwt", return_value=_Signing()):
        yield


def _verifier() -> TokenVerifier:
    return TokenVerifier(
        ServiceSettings(
            environment=Environment.TEST,
            jwt_jwks_url=f"{ISSUER}/.well-known/jwks.json",
            jwt_issuer=ISSUER,
            jwt_audience="lending",
        )
    )


def _claims(lifetime: timedelta = timedelta(minutes=5), **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": "p1",
        "iss": ISSUER,
        "aud": "lending",
        "iat": now,
        "exp": now + lifetime,
        "roles": ["operator"],
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _token(claims: dict[str, Any], key: Any = KEY, algorithm: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "k"})


def test_a_token_of_five_minutes_from_the_issuer_passes() -> None:
    assert MAX_TOKEN_LIFETIME_S == 300
    assert _verifier().verify(_token(_claims())).roles == frozenset({"operator"})


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _hmac_with_public_key(claims: dict[str, Any]) -> str:
    """HS256 keyed with the issuer's public PEM (PyJWT itself refuses to build one)."""
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k"}).encode())
    body = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in claims.items()}
    payload = _b64(json.dumps(body).encode())
    signature = hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest()
    return (header + b"." + payload + b"." + _b64(signature)).decode()


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(_token(_claims(timedelta(minutes=5, seconds=1))), id="lives-too-long"),
        pytest.param(_token(_claims(timedelta(hours=8))), id="a-working-day"),
        pytest.param(_token(_claims(iat=None)), id="no-issued-at"),
        pytest.param(_token(_claims(timedelta(seconds=-1))), id="expired"),
        pytest.param(_token(_claims(aud="matching")), id="another-audience"),
        pytest.param(_token(_claims(iss="http://elsewhere")), id="another-issuer"),
        pytest.param(_token(_claims(sub=None)), id="no-subject"),
        pytest.param(_token(_claims(), OTHER_KEY), id="another-key"),
        pytest.param(_token(_claims(), None, "none"), id="unsigned"),
        # The public key used as an HMAC secret: the classic algorithm confusion.
        pytest.param(_hmac_with_public_key(_claims()), id="public-key-as-hmac-secret"),
    ],
)
def test_any_doubt_about_a_token_refuses_it(token: str) -> None:
    with pytest.raises(Unauthorized):
        _verifier().verify(token)
