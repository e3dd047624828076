"""Bearer JWT authentication (OIDC-compatible) and role/collectivité checks.

Production verifies RS256 tokens against the issuer's JWKS; dev and tests use an HS256
dev issuer. With ENVIRONMENT=dev and a JWKS both are accepted (``make run``: people act
through the portal's tokens, the demos through the dev issuer's).
Claims: ``sub`` (person), ``authority`` (SIREN acted for), ``roles``; and ``email`` with
``email_verified`` where a service must know which address the person proved she reads.
"""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
import jwt.types
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict
from starlette.types import Scope

from deformations_common.errors import Forbidden, Unauthorized
from deformations_common.settings import DEV_JWT_ISSUER, Environment, ServiceSettings
from deformations_common.vocabulary.erasure import refuse_if_erased
from deformations_common.vocabulary.roles import Role as RoleName

# The audience of the dev issuer's tokens when nobody chose one (ServiceSettings' default).
DEV_JWT_AUDIENCE = "deformations"
# The longest life of an issuer's token. Nothing revokes a token: a session ended at the
# portal stops new ones, and the ones already out are worthless after this long. So a
# token that says it lives longer is refused, whoever signed it.
MAX_TOKEN_LIFETIME_S = 300


class Role(StrEnum):
    ELECTED = "elected"
    AGENT = "agent"
    HR = "hr"
    TRAINER = "trainer"
    OPERATOR = "operator"


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    sub: str
    authority: str | None = None
    roles: frozenset[str] = frozenset()
    # The address the issuer vouches for, and whether it was proven to be the person's
    # (an e-mail link followed, or the identity provider's word): notifications sends to
    # no address that is not.
    email: str | None = None
    email_verified: bool = False

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def require(self, *roles: str, authority: str | None = None) -> None:
        """Forbidden unless the principal has one of ``roles`` (for ``authority`` if given)."""
        if roles and not self.has_role(*roles):
            names = ", ".join(sorted(_role_label(r) for r in roles))
            raise Forbidden(f"Cette action est réservée aux rôles suivants : {names}.")
        if authority is not None and self.authority != authority:
            raise Forbidden(f"Cette action se fait au nom de la collectivité {authority}.")


def _role_label(role: str) -> str:
    try:
        return RoleName(role).label
    except ValueError:
        return role


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None

    def _dev_token(self, token: str) -> bool:
        """A token of the dev issuer, accepted beside the JWKS only in dev (never elsewhere)."""
        if self._settings.environment is not Environment.DEV:
            return False
        try:
            return bool(jwt.get_unverified_header(token).get("alg") == "HS256")
        except jwt.PyJWTError:
            return False

    def verify(self, token: str) -> Principal:
        options: jwt.types.Options = {"require": ["sub", "exp"]}
        try:
            if self._jwks is not None and self._dev_token(token):
                claims = jwt.decode(
                    token,
                    self._settings.dev_jwt_secret(),
                    algorithms=["HS256"],
                    audience=[self._settings.jwt_audience, DEV_JWT_AUDIENCE],
                    issuer=DEV_JWT_ISSUER,
                    options=options,
                )
            elif self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=["RS256"],
                    audience=self._settings.jwt_audience,
                    issuer=self._settings.jwt_issuer,
                    options={"require": ["sub", "exp", "iat"]},
                )
                lifetime = claims["exp"] - claims["iat"]
                if not isinstance(lifetime, int | float) or lifetime > MAX_TOKEN_LIFETIME_S:
                    raise Unauthorized(
                        f"Jeton d'accès refusé : il doit valoir {MAX_TOKEN_LIFETIME_S} s au plus."
                    )
            else:
                claims = jwt.decode(
                    token,
                    self._settings.dev_jwt_secret(),
                    algorithms=["HS256"],
                    audience=self._settings.jwt_audience,
                    issuer=self._settings.jwt_issuer,
                    options=options,
                )
        except jwt.PyJWTError as exc:
            # PyJWT's reason is English: programs get it apart, people a French sentence.
            raise Unauthorized(
                "Jeton d'accès invalide ou expiré : reconnectez-vous.", reason=str(exc)
            ) from exc
        roles = claims.get("roles", [])
        if isinstance(roles, str):
            roles = roles.split()
        email = claims.get("email")
        return Principal(
            sub=claims["sub"],
            authority=claims.get("authority"),
            roles=roles,
            email=email if isinstance(email, str) and email else None,
            # Only a JSON true: a provider's "false", "0" or absent claim proves nothing.
            email_verified=claims.get("email_verified") is True,
        )


def issue_dev_token(
    settings: ServiceSettings,
    sub: str,
    *,
    authority: str | None = None,
    roles: list[str] | tuple[str, ...] = (),
    ttl: timedelta = timedelta(hours=8),
    email: str | None = None,
    email_verified: bool | None = None,
) -> str:
    """A token of the dev issuer, for local runs, the demo and tests."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": sub,
        "roles": list(roles),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl,
    }
    if authority is not None:
        claims["authority"] = authority
    if email is not None:
        claims["email"] = email
    if email_verified is not None:
        claims["email_verified"] = email_verified
    return jwt.encode(claims, settings.dev_jwt_secret(), algorithm="HS256")


def _bearer(request: Request) -> str | None:
    return _bearer_of(request.headers.get("authorization", ""))


def bearer_person(verifier: TokenVerifier, scope: Scope) -> str | None:
    """The ``sub`` of the request's bearer token if it is valid, else None (rate limits
    count a signed-in person apart from the address she shares with others)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            token = _bearer_of(value.decode("latin-1"))
            if token is None:
                return None
            try:
                return verifier.verify(token).sub
            except Unauthorized:
                return None
    return None


def _bearer_of(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.strip()


async def _not_erased(request: Request, principal: Principal) -> Principal:
    """A token outlives the erasure of its person: every service refuses it (410), so no
    endpoint can store anything in their name again, whichever use case it calls."""
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        refuse_if_erased(await runtime.is_erased(principal.sub))
    return principal


async def current_principal(request: Request) -> Principal:
    token = _bearer(request)
    if token is None:
        raise Unauthorized("Connectez-vous : cette requête demande un jeton d'accès (Bearer).")
    verifier: TokenVerifier = request.app.state.token_verifier
    return await _not_erased(request, verifier.verify(token))


async def optional_principal(request: Request) -> Principal | None:
    token = _bearer(request)
    if token is None:
        return None
    verifier: TokenVerifier = request.app.state.token_verifier
    return await _not_erased(request, verifier.verify(token))


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
