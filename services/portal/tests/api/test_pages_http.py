"""The portal over HTTP on the real database: dev sign-in, CSRF, the demo accounts, JWKS."""

import json
import re
import uuid
from contextlib import AsyncExitStack

import aio_pika
import asyncpg
import httpx
import jwt
import pytest

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.places import places_of
from deformations_devtools.portal import demo
from deformations_devtools.portal.platforms import ILE_DE_FRANCE
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, isolated_settings, running, tap, wait_until
from deformations_portal import main
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
        hidden = await client.get("/connexion/dev")
        assert hidden.status_code == 404 and "Page introuvable" in hidden.text
        assert (await client.get("/recettes/t99_nothing")).status_code == 404
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


async def test_the_ile_de_france_demo_people_act_for_the_gatinais(
    infra: Infra, database_url: str, namespace: str
) -> None:
    """``make run PLATFORM=ile-de-france``: the portal's demo people are the Région's, beside
    the default Région's on the same database (no person, no address shared)."""
    settings = settings_for(
        infra,
        database_url,
        namespace,
        environment=Environment.DEV,
        platform_file=str(ILE_DE_FRANCE),
    )
    said: list[str] = []
    async with running(create_app(definition(settings))) as client:
        await Portal(settings).run(demo.create_accounts)
        await demo.play(settings, said.append, region="11")
        told = "\n".join(said)
        her = "l'élue de Souppes-sur-Loing (Hélène Lefèvre)"
        assert f"{her}: « Agir en tant que elue@souppes.demo." in told
        assert "Crest" not in told
        page = await client.get("/connexion/dev")
        for account in (*demo.ACCOUNTS, *demo.accounts(places_of("11"))):
            assert account.email in page.text
        signed = await client.post(
            "/connexion/dev",
            data={"email": "elue@souppes.demo.deformations.fr", "csrf": csrf_of(page)},
        )
        assert signed.status_code == 303
        space = await client.get("/espace")
        assert "Vous agissez pour Souppes-sur-Loing (élu·e)" in space.text
        assert "Crest" not in space.text


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
    with pytest.raises(
        ValueError,
        match=r"SESSION_SECRET is required.*TOKEN_SIGNING_KEY is required.*LINK_SIGNING_KEY",
    ):
        PortalSettings(environment=Environment.PRODUCTION, jwt_jwks_url="http://x/jwks")
    assert not PortalSettings(app_url="http://127.0.0.1:8005").secure_cookies
    assert PortalSettings(app_url="https://deformations.example.org").secure_cookies


async def test_deleting_my_account_publishes_the_erasure_and_forgets_me(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(infra, database_url, namespace, environment=Environment.DEV)
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(running(create_app(definition(settings))))
        queue = await tap(
            stack, infra.amqp_url, settings.events_exchange, "person.erasure_requested.v1"
        )
        await Portal(settings).run(demo.create_accounts)
        page = await client.get("/connexion/dev")
        await client.post(
            "/connexion/dev", data={"email": demo.ACCOUNTS[0].email, "csrf": csrf_of(page)}
        )
        confirm = await client.get("/compte/supprimer")
        # Without the box ticked: a French message, nothing erased.
        kept = await client.post("/compte/supprimer", data={"csrf": csrf_of(confirm)})
        assert kept.status_code == 422 and "Cochez la case" in kept.text
        assert (await client.get("/compte")).status_code == 200
        done = await client.post(
            "/compte/supprimer", data={"csrf": csrf_of(confirm), "confirmation": "oui"}
        )
        assert done.status_code == 200 and "Compte supprimé" in done.text
        received: list[aio_pika.abc.AbstractIncomingMessage] = []

        async def published() -> bool:
            message = await queue.get(no_ack=True, fail=False)
            if message is not None:
                received.append(message)
            return bool(received)

        await wait_until(published, what="person.erasure_requested.v1 on the broker")
        body = json.loads(received[0].body)
        conn = await asyncpg.connect(database_url)
        try:
            identities = await conn.fetchval(
                "SELECT count(*) FROM portal.login_identities WHERE person_id = $1",
                uuid.UUID(body["person_id"]),
            )
            statuses = await conn.fetch(
                "SELECT status FROM portal.memberships WHERE person_id = $1",
                uuid.UUID(body["person_id"]),
            )
            # The demo person had a name: it goes with her identities.
            names = await conn.fetchval(
                "SELECT count(*) FROM portal.person_names WHERE person_id = $1",
                uuid.UUID(body["person_id"]),
            )
        finally:
            await conn.close()
        assert identities == 0 and names == 0
        assert [r["status"] for r in statuses] == ["revoked"]
        assert (await client.get("/compte")).headers["location"] == "/connexion"
        assert demo.ACCOUNTS[0].email not in (await client.get("/connexion/dev")).text


async def test_create_operator_makes_the_first_operator(
    infra: Infra, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    person = await main.create_operator("Ops@Example.org")
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT role, status, siren FROM portal.memberships WHERE person_id = $1",
            uuid.UUID(person),
        )
        email = await conn.fetchval(
            "SELECT email FROM portal.login_identities WHERE person_id = $1", uuid.UUID(person)
        )
    finally:
        await conn.close()
    assert (row["role"], row["status"], row["siren"], email) == (
        "operator",
        "validated",
        "200040509",
        "ops@example.org",
    )
