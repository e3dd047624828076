"""The OpenID Connect relying party: authorization code with PKCE, state and nonce.

Configured by the provider's discovery URL, a client id and a secret, so ProConnect,
Keycloak or a Région's own provider work by configuration alone. The state, nonce and
PKCE verifier of an attempt are kept server side (``oidc_attempts``), used once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client

from deformations_portal.domain.errors import SignInFailed
from deformations_portal.service.people import Claims
from deformations_portal.settings import PortalSettings

CALLBACK_PATH = "/connexion/oidc/retour"


@dataclass(frozen=True)
class Attempt:
    url: str
    state: str
    nonce: str
    verifier: str


class OidcClient:
    def __init__(self, settings: PortalSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None

    @property
    def redirect_uri(self) -> str:
        return self.settings.app_url.rstrip("/") + CALLBACK_PATH

    def _client(self) -> AsyncOAuth2Client:
        secret = self.settings.oidc_client_secret
        return AsyncOAuth2Client(
            client_id=self.settings.oidc_client_id,
            client_secret=None if secret is None else secret.get_secret_value(),
            scope=self.settings.oidc_scopes,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=self.settings.service_timeout_s * 3,
        )

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            if not self.settings.oidc_discovery_url:
                raise SignInFailed("La connexion par fournisseur d'identité n'est pas configurée.")
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.get(self.settings.oidc_discovery_url)
                response.raise_for_status()
                self._metadata = response.json()
        return self._metadata

    async def start(self) -> Attempt:
        meta = await self.metadata()
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(48)
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                meta["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
            )
        return Attempt(url, state, nonce, verifier)

    async def finish(self, code: str, verifier: str, nonce: str) -> tuple[Claims, str]:
        """Exchange the code; the verified id_token and the userinfo make the claims."""
        meta = await self.metadata()
        try:
            async with self._client() as client:
                token = await client.fetch_token(
                    meta["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=verifier,
                )
                id_token = str(token["id_token"])
                keys = jwt.PyJWKSet.from_dict((await client.get(meta["jwks_uri"])).json())
                claims = self._verify(id_token, keys, meta["issuer"])
                if claims.get("nonce") != nonce:
                    raise SignInFailed("La réponse du fournisseur d'identité ne correspond pas.")
                info: dict[str, Any] = {}
                if meta.get("userinfo_endpoint"):
                    reply = await client.get(meta["userinfo_endpoint"])
                    reply.raise_for_status()
                    if reply.headers.get("content-type", "").startswith("application/jwt"):
                        # ProConnect signs its userinfo.
                        info = self._verify(reply.text, keys, meta["issuer"], audience=True)
                    else:
                        info = reply.json()
        except SignInFailed:
            raise
        except (httpx.HTTPError, jwt.PyJWTError, KeyError, ValueError, json.JSONDecodeError) as exc:
            raise SignInFailed(
                "La connexion auprès du fournisseur d'identité a échoué : réessayez."
            ) from exc
        merged = {**claims, **info}
        if merged.get("sub") != claims["sub"]:
            raise SignInFailed("La réponse du fournisseur d'identité ne correspond pas.")
        return (
            Claims(
                issuer=str(meta["issuer"]),
                subject=str(claims["sub"]),
                email=_text(merged.get("email")),
                given_name=_text(merged.get("given_name")),
                usual_name=_text(merged.get("usual_name") or merged.get("family_name")),
                siret=_text(merged.get("siret")),
                email_verified=_verified(merged.get("email_verified")),
            ),
            id_token,
        )

    def _verify(
        self, token: str, keys: jwt.PyJWKSet, issuer: str, *, audience: bool = True
    ) -> dict[str, Any]:
        kid = jwt.get_unverified_header(token).get("kid")
        candidates = [k for k in keys.keys if kid is None or k.key_id == kid]
        if not candidates:
            raise SignInFailed("La signature du fournisseur d'identité est inconnue.")
        decoded: dict[str, Any] = jwt.decode(
            token,
            candidates[0].key,
            algorithms=["RS256", "PS256", "ES256"],
            audience=self.settings.oidc_client_id if audience else None,
            issuer=issuer,
            options={"verify_aud": audience},
        )
        return decoded

    async def end_session_url(self, id_token: str | None, after: str) -> str | None:
        """The provider's logout (RP-initiated), when it offers one."""
        if not self.settings.oidc_enabled or id_token is None:
            return None
        try:
            endpoint = (await self.metadata()).get("end_session_endpoint")
        except httpx.HTTPError:
            return None
        if not endpoint:
            return None
        query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": after})
        return f"{endpoint}?{query}"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _verified(value: object) -> bool:
    # OIDC says a JSON boolean; some providers send the string. Absent proves nothing.
    return value is True or value == "true"
