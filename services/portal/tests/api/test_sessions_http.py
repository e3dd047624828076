"""Ending sessions over HTTP on the real database: « Me déconnecter de tous les
appareils », a référent withdrawing someone's last membership, an erased account; and
sign-in links that sign in once, within 15 minutes."""

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_portal.app import definition
from deformations_portal.service import people
from deformations_portal.settings import PortalSettings

ELUE, RH = demo.ACCOUNTS[0].email, demo.ACCOUNTS[2].email


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@asynccontextmanager
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Another device: its own cookies, the same running portal."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    page = await client.get("/connexion/dev")
    done = await client.post("/connexion/dev", data={"email": email, "csrf": csrf_of(page)})
    assert done.status_code == 303 and done.headers["location"] == "/espace"


async def signed_in(client: httpx.AsyncClient) -> bool:
    account = await client.get("/compte")
    assert account.status_code in (200, 303)
    return account.status_code == 200


def settings_for(infra: Infra, database_url: str, namespace: str) -> PortalSettings:
    return isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        smtp_port=1,
        environment=Environment.DEV,
    )


async def test_signing_out_everywhere_ends_the_sessions_of_every_device(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(infra, database_url, namespace)
    app = create_app(definition(settings))
    async with AsyncExitStack() as stack:
        laptop = await stack.enter_async_context(running(app))
        phone = await stack.enter_async_context(browser(app))
        colleague = await stack.enter_async_context(browser(app))
        await Portal(settings).run(demo.create_accounts)
        for client, email in ((laptop, ELUE), (phone, ELUE), (colleague, RH)):
            await sign_in(client, email)
        account = await laptop.get("/compte")
        assert "Me déconnecter de tous les appareils" in account.text
        # Without the form's token: refused in French, every session kept.
        refused = await laptop.post("/deconnexion/partout", data={})
        assert refused.status_code == 403 and "Ce formulaire a expiré" in refused.text
        assert await signed_in(laptop) and await signed_in(phone)

        done = await laptop.post("/deconnexion/partout", data={"csrf": csrf_of(account)})
        assert done.status_code == 303
        assert done.headers["location"] == "/connexion?notice=partout"
        assert "portal_session=" in done.headers["set-cookie"]  # deleted on this device
        told = await laptop.get(done.headers["location"])
        assert "Vous êtes déconnecté de tous vos appareils." in told.text
        assert not await signed_in(laptop)
        assert not await signed_in(phone)
        assert await signed_in(colleague)
        # Signed out, the form only leads to the sign-in page.
        again = await phone.post("/deconnexion/partout", data={"csrf": csrf_of(account)})
        assert (again.status_code, again.headers["location"]) == (303, "/connexion")


async def test_a_referent_withdraws_a_last_membership_and_its_sessions_end(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(infra, database_url, namespace)
    app = create_app(definition(settings))
    async with AsyncExitStack() as stack:
        referent = await stack.enter_async_context(running(app))
        elue = await stack.enter_async_context(browser(app))
        await Portal(settings).run(demo.create_accounts)
        await sign_in(referent, RH)
        await sign_in(elue, ELUE)
        page = await referent.get("/referent")
        found = re.search(
            r'name="adhesion" value="([^"]+)">\s*<button class="secondaire" type="submit">'
            r"Retirer l'adhésion de " + re.escape(demo.ACCOUNTS[0].person_name.full),
            page.text,
        )
        assert found, page.text
        membership = found.group(1)
        # Her typed name comes with the address the référent can check.
        her = demo.ACCOUNTS[0]
        assert f'{her.person_name.full}<br><span class="aide">{her.email}</span>' in page.text

        # The élue is no référent: refused, and she keeps her membership and session.
        own = await elue.get("/espace")
        refused = await elue.post(
            "/referent/retirer", data={"adhesion": membership, "csrf": csrf_of(own)}
        )
        assert refused.status_code == 403 and "référent" in refused.text
        assert await signed_in(elue)

        done = await referent.post(
            "/referent/retirer", data={"adhesion": membership, "csrf": csrf_of(page)}
        )
        assert (done.status_code, done.headers["location"]) == (303, "/referent?notice=retrait")
        after = await referent.get(done.headers["location"])
        assert "L&#39;adhésion est retirée." in after.text  # (autoescaped)
        assert membership not in after.text
        assert not await signed_in(elue)
        assert await signed_in(referent)
        # Withdrawn once: a second try says so and changes nothing.
        twice = await referent.post(
            "/referent/retirer", data={"adhesion": membership, "csrf": csrf_of(page)}
        )
        assert twice.status_code == 409 and "ne peut pas être retirée" in twice.text


async def test_erasing_the_account_signs_out_every_device(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(infra, database_url, namespace)
    app = create_app(definition(settings))
    async with AsyncExitStack() as stack:
        laptop = await stack.enter_async_context(running(app))
        phone = await stack.enter_async_context(browser(app))
        await Portal(settings).run(demo.create_accounts)
        await sign_in(laptop, ELUE)
        await sign_in(phone, ELUE)
        confirm = await laptop.get("/compte/supprimer")
        done = await laptop.post(
            "/compte/supprimer", data={"csrf": csrf_of(confirm), "confirmation": "oui"}
        )
        assert done.status_code == 200
        assert not await signed_in(phone)


async def test_a_sign_in_link_signs_in_once_and_within_fifteen_minutes(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(infra, database_url, namespace)
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(definition(settings, clock=clock))
    portal = Portal(settings, clock)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running(app))
        second = await stack.enter_async_context(browser(app))
        link = await portal.run(people.request_link, "elue@crest.fr", "10.0.0.1")

        async def use(client: httpx.AsyncClient, secret: str) -> httpx.Response:
            page = await client.get(f"/connexion/lien?jeton={secret}")
            assert page.status_code == 200  # opening the link spends nothing
            return await client.post(
                "/connexion/lien/valider", data={"jeton": secret, "csrf": csrf_of(page)}
            )

        signed = await use(first, link.secret)
        assert signed.status_code == 303 and await signed_in(first)
        again = await use(second, link.secret)
        assert again.status_code == 410 and "déjà servi" in again.text
        assert not await signed_in(second)

        late = await portal.run(people.request_link, "elue@crest.fr", "10.0.0.1")
        clock.advance(timedelta(minutes=15))
        expired = await use(second, late.secret)
        assert expired.status_code == 410 and "a expiré" in expired.text
        assert not await signed_in(second)
        forged = await use(second, link.secret[:-2] + "xx")
        assert forged.status_code == 404 and not await signed_in(second)
