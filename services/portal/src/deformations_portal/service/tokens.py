"""The platform's token issuer: RS256 access tokens of at most 5 minutes, one audience each.

Claims: ``sub`` (the pseudonymous person id), ``authority`` (the SIREN of the membership
the person acts in) and ``roles``; ``email`` and ``email_verified`` only in the token
that registers an address proven hers with notifications. Services verify them against
``/.well-known/jwks.json``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from deformations_common.settings import Environment
from deformations_portal.domain.memberships import Membership
from deformations_portal.service.uow import PortalUow


@dataclass(frozen=True)
class TokenIssuer:
    issuer: str
    kid: str
    private_key: rsa.RSAPrivateKey
    ttl: timedelta

    def issue(
        self,
        person_id: uuid.UUID,
        acting: Membership | None,
        audience: str,
        now: datetime,
        *,
        email: str | None = None,
        email_verified: bool = False,
    ) -> str:
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": str(person_id),
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl,
            "jti": str(uuid.uuid4()),
            "roles": [acting.role.value] if acting is not None else [],
        }
        if acting is not None:
            claims["authority"] = acting.siren
        if email is not None:
            claims["email"] = email
            claims["email_verified"] = email_verified
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}


def _kid(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).decode().rstrip("=")


def _private(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("TOKEN_SIGNING_KEY must be an RSA private key (PEM)")
    return key


async def load_issuer(uow: PortalUow) -> TokenIssuer:
    """The configured key; outside production, one generated once and kept in the schema."""
    settings = uow.settings
    ttl = timedelta(seconds=settings.token_ttl_s)
    if settings.token_signing_key is not None:
        key = _private(settings.token_signing_key.get_secret_value())
        return TokenIssuer(settings.issuer, _kid(key), key, ttl)
    if settings.environment is Environment.PRODUCTION:
        raise RuntimeError("TOKEN_SIGNING_KEY is required in production")
    stored = await uow.signin.signing_key()
    if stored is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        await uow.signin.add_signing_key(_kid(key), pem, uow.now())
        stored = await uow.signin.signing_key()
        assert stored is not None
    return TokenIssuer(settings.issuer, stored[0], _private(stored[1]), ttl)
