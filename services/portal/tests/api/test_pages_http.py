"""The portal over HTTP on the real database: dev sign-in, CSRF, the demo accounts, JWKS."""

import re

import httpx
import jwt
import pytest

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings


def settings_for(
    infra: Infra, database_url: str, namespace: str, **overrides: object
) -> PortalSettings:
    return isolated_settings(
        PortalSettings, infra, database_url, namespace, "portal", smtp_port=1, **overrides
    )


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def test_dev_sign_in_exists_only_in_dev(
    infra: Infra, database_url: str, namespace: str
) -> None:
    test_settings = settings_for(infra, database_url, namespace)
    async with running(create_app(definition(test_settings))) as client:
        assert (await client.get("/connexion/dev")).status_code == 404
        assert (await client.post("/connexion/dev", data={"email": "x@y.fr"})).status_code == 404
    dev_settings = settings_for(infra, database_url, namespace, environment=Environment.DEV)
    async with running(create_app(definition(dev_settings))) as client:
        created = await Portal(dev_settings).run(demo.create_accounts)
        assert len(created) == len(demo.ACCOUNTS)
        assert await Portal(dev_settings).run(demo.create_accounts) == []  # idempotent
        page = await client.get("/connexion/dev")
        assert page.status_code == 200
        for account in demo.ACCOUNTS:
            assert account.email in page.text
        assert "élu·e de Crest" in page.text
        # Without the CSRF token: refused in French, nobody signed in.
        refused = await client.post("/connexion/dev", data={"email": demo.ACCOUNTS[0].email})
        assert refused.status_code == 403
        assert "Ce formulaire a expiré" in refused.text
        assert "portal_session" not in refused.cookies
        signed = await client.post(
            "/connexion/dev", data={"email": demo.ACCOUNTS[0].email, "csrf": csrf_of(page)}
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/espace"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        space = await client.get("/espace")
        assert "Vous agissez pour Crest (élu·e)" in space.text


async def test_the_jwks_verifies_the_tokens_of_the_portal(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(infra, database_url, namespace)
    async with running(create_app(definition(settings))) as client:
        keys = (await client.get("/.well-known/jwks.json")).json()
        assert [k["alg"] for k in keys["keys"]] == ["RS256"]
        assert "d" not in keys["keys"][0]  # the public half only
        # The key survives a restart: the JWKS services cached stays valid.
    async with running(create_app(definition(settings))) as client:
        assert (await client.get("/.well-known/jwks.json")).json() == keys
    assert jwt.PyJWKSet.from_dict(keys).keys[0].key_type == "RSA"


def test_production_has_no_secret_defaults() -> None:
    with pytest.raises(ValueError, match="SESSION_SECRET, TOKEN_SIGNING_KEY"):
        PortalSettings(environment=Environment.PRODUCTION, jwt_jwks_url="http://x/jwks")
    assert not PortalSettings(app_url="http://127.0.0.1:8005").secure_cookies
    assert PortalSettings(app_url="https://deformations.example.org").secure_cookies
