"""People sign in to the portal in a real headless Chromium and reach « Mon espace ».

Real collaborators only: npm's oidc-provider in its own process (the ProConnect stand-in),
an SMTP capture catching the sign-in links, the portal and the lending service on real
ports (lending verifies the portal's tokens against its JWKS), RabbitMQ and PostgreSQL.
axe-core runs on every portal page: 0 serious, 0 critical violations.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from browser import Open, accessible, click, left, serving

from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.portal.support import (
    Inbox,
    OidcProvider,
    Portal,
    free_port,
    oidc_provider,
    smtp_catcher,
)
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    isolated_settings,
    wait_until,
)
from deformations_lending.app import definition as lending_definition
from deformations_lending.settings import LendingSettings
from deformations_notifications.app import definition as notifications_definition
from deformations_notifications.settings import NotificationsSettings
from deformations_portal.app import definition as portal_definition
from deformations_portal.service import memberships, people, tokens
from deformations_portal.settings import PortalSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CREST = "212601082"
if shutil.which("node") is None or shutil.which("npm") is None:
    pytest.skip(
        "no node/npm for the test OIDC provider: apt-get install -y nodejs npm",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@dataclass
class Site:
    url: str
    settings: PortalSettings
    clock: ManualClock
    inbox: Inbox
    provider: OidcProvider
    portal: Portal
    notifications_url: str


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    portal_port, lending_port, notifications_port = free_port(), free_port(), free_port()
    url = f"http://127.0.0.1:{portal_port}"
    clock = ManualClock(datetime.now(UTC))
    async with AsyncExitStack() as stack:
        inbox, smtp_port = stack.enter_context(smtp_catcher())
        provider = stack.enter_context(oidc_provider(url))
        settings = isolated_settings(
            PortalSettings,
            infra,
            database_url,
            namespace,
            "portal",
            http_port=portal_port,
            public_url=url,
            app_url=url,
            smtp_port=smtp_port,
            oidc_discovery_url=provider.discovery_url,
            oidc_client_id=provider.client_id,
            oidc_client_secret=provider.client_secret,
            service_urls={
                "lending": f"http://127.0.0.1:{lending_port}",
                "notifications": f"http://127.0.0.1:{notifications_port}",
            },
        )
        lending_settings = isolated_settings(
            LendingSettings,
            infra,
            database_url,
            namespace,
            "lending",
            http_port=lending_port,
            jwt_jwks_url=f"{url}/.well-known/jwks.json",
            jwt_issuer=settings.issuer,
            jwt_audience="lending",
        )
        notifications_settings = isolated_settings(
            NotificationsSettings,
            infra,
            database_url,
            namespace,
            "notifications",
            http_port=notifications_port,
            smtp_port=smtp_port,
            jwt_jwks_url=f"{url}/.well-known/jwks.json",
            jwt_issuer=settings.issuer,
            jwt_audience="notifications",
        )
        portal_app = create_app(portal_definition(settings, clock=clock))
        lending_app = create_app(lending_definition(lending_settings))
        notifications_app = create_app(notifications_definition(notifications_settings))
        await stack.enter_async_context(serving(portal_app, portal_port, "portal"))
        await stack.enter_async_context(serving(lending_app, lending_port, "lending"))
        await stack.enter_async_context(
            serving(notifications_app, notifications_port, "notifications")
        )
        apps = (
            (portal_app, settings),
            (lending_app, lending_settings),
            (notifications_app, notifications_settings),
        )
        try:
            yield Site(
                url,
                settings,
                clock,
                inbox,
                provider,
                Portal(settings, clock),
                f"http://127.0.0.1:{notifications_port}",
            )
        finally:
            for app, s in apps:
                subscriptions = app.state.definition.handlers.subscriptions
                await delete_broker_objects(infra.amqp_url, s, subscriptions)


async def sign_in_by_mail(driver: Any, site: Site, address: str) -> None:
    driver.get(f"{site.url}/connexion")
    accessible(driver)
    driver.find_element(By.ID, "email").send_keys(address)
    click(driver, "Recevoir un lien de connexion")
    assert "Vérifiez votre messagerie" in driver.page_source
    accessible(driver)
    await wait_until(lambda: bool(site.inbox.to(address)), what=f"the mail to {address}")
    driver.get(site.inbox.link_to(address))
    accessible(driver)
    click(driver, "Me connecter")
    assert driver.current_url.endswith("/espace"), driver.current_url


async def make_referent(site: Site, address: str) -> None:
    async def setup(uow: Any) -> None:
        hr = await people.person_for(uow, people.Claims("email", address, email=address))
        request = await memberships.request_join(uow, hr, CREST, "hr")
        operator = await people.create_operator(uow, "ops@example.org", "200040509")
        await memberships.decide(uow, operator, request.membership_id, accept=True)

    await site.portal.run(setup)


async def register_preferences(site: Site, address: str) -> None:
    async def token(uow: Any) -> str:
        person = await uow.conn.fetchval(
            "SELECT person_id FROM login_identities WHERE email = $1", address
        )
        issuer = await tokens.load_issuer(uow)
        return issuer.issue(
            person, None, "notifications", uow.now(), email=address, email_verified=True
        )

    bearer = await site.portal.run(token)
    async with httpx.AsyncClient(base_url=site.notifications_url) as client:
        response = await client.put(
            "/v1/me/recipient",
            json={"email": address, "consent": True, "digest": {"frequency": "daily"}},
            headers={"authorization": f"Bearer {bearer}"},
        )
    assert response.status_code == 201, response.text


async def test_an_elue_signs_in_with_oidc_joins_crest_and_is_validated_by_the_referent(
    site: Site, browsers: Open
) -> None:
    await make_referent(site, "rh@crest.fr")
    elue = browsers()
    for path in ("/", "/thematiques", "/thematiques/3", "/recettes/t03_cafe_formation"):
        elue.get(site.url + path)
        accessible(elue)

    # ProConnect-style sign-in: code + PKCE + state + nonce against a real provider.
    elue.get(f"{site.url}/connexion")
    accessible(elue)
    click(elue, "S'identifier avec ProConnect")
    elue.find_element(By.NAME, "login").send_keys("camille")
    elue.find_element(By.NAME, "password").send_keys("any")
    click(elue, "Sign-in")
    if elue.find_elements(By.XPATH, "//button[normalize-space()='Continue']"):
        click(elue, "Continue")
    # The siret claim proposes the collectivité: the join page opens on Crest.
    assert "/adhesions/rejoindre?q=212601082" in elue.current_url, elue.current_url
    accessible(elue)
    assert "Crest — Commune" in elue.page_source
    click(elue, "Demander à rejoindre")
    assert "en attente de validation" in elue.page_source
    accessible(elue)

    elue.get(f"{site.url}/espace")
    assert "pas encore validée" in elue.page_source
    accessible(elue)

    # The référent (RH of Crest) signs in with the e-mail link and validates.
    referent = browsers()
    await sign_in_by_mail(referent, site, "rh@crest.fr")
    referent.get(f"{site.url}/referent")
    accessible(referent)
    click(referent, "Valider la demande de Camille Martin")
    assert "La demande est validée." in referent.page_source
    accessible(referent)
    # The change of rights is told to the person by e-mail.
    await wait_until(lambda: bool(site.inbox.to("camille@crest.fr")), what="the decision mail")
    assert "est validée" in site.inbox.to("camille@crest.fr")[-1].get_content()

    # Camille's preferences, as the notifications service holds them, show in her space.
    await register_preferences(site, "camille@crest.fr")
    elue.get(f"{site.url}/espace")
    accessible(elue)
    page = elue.page_source
    preferences = elue.find_element(By.ID, "s-preferences").find_element(By.XPATH, "..").text
    assert "Envoi des nouvelles : chaque jour" in preferences, preferences
    assert "Heures calmes : de 21:00 à 07:00" in preferences
    assert "Vous agissez pour Crest (élu·e)" in page
    # Lending answered with the portal's token (verified against the JWKS): no error.
    loans = elue.find_element(By.ID, "s-prets").find_element(By.XPATH, "..").text
    assert "Rien pour le moment" in loans, loans
    # Diagnostics and the agenda link to their own pages (diagnosis is not running here).
    assert "Faire mon autodiagnostic" in page and "Voir mon agenda" in page
    for path in ("/adhesions", "/compte", "/compte/supprimer", "/adhesions/rejoindre?q=aouste"):
        elue.get(site.url + path)
        accessible(elue)

    # Logout ends the portal's session and goes through the provider's end-session.
    elue.get(f"{site.url}/compte")
    click(elue, "Se déconnecter")
    assert elue.current_url.startswith(site.provider.issuer), elue.current_url
    elue.get(f"{site.url}/espace")
    assert elue.current_url.endswith("/connexion")


def sign_in_with_provider(browser: Any, site: Site) -> None:
    browser.get(f"{site.url}/connexion")
    click(browser, "S'identifier avec ProConnect")
    browser.find_element(By.NAME, "login").send_keys("camille")
    browser.find_element(By.NAME, "password").send_keys("any")
    click(browser, "Sign-in")
    if browser.find_elements(By.XPATH, "//button[normalize-space()='Continue']"):
        click(browser, "Continue")
    assert browser.current_url.startswith(site.url), browser.current_url


async def test_signing_out_ends_the_provider_session_too(site: Site, browsers: Open) -> None:
    elue = browsers()
    sign_in_with_provider(elue, site)
    # While the provider's session lives, signing in again asks nothing (the usual SSO):
    # the portal's sign-out must end it, or the next person at this computer is Camille.
    elue.get(f"{site.url}/compte")
    click(elue, "Se déconnecter")
    assert elue.current_url.startswith(f"{site.provider.issuer}/session/end"), elue.current_url
    # The provider asks to confirm (oidc-provider's own page), then returns to the portal.
    click(elue, "Yes, sign me out")
    assert elue.current_url == f"{site.url}/", elue.current_url
    elue.get(f"{site.url}/espace")
    assert elue.current_url.endswith("/connexion")

    elue.get(f"{site.url}/connexion")
    click(elue, "S'identifier avec ProConnect")
    assert elue.current_url.startswith(site.provider.issuer), elue.current_url
    assert elue.find_elements(By.NAME, "login"), "the provider should ask who signs in"
    assert elue.find_elements(By.NAME, "password")


async def test_a_referent_invites_an_elu_who_joins_through_the_mailed_link(
    site: Site, browsers: Open
) -> None:
    await make_referent(site, "rh@crest.fr")
    referent = browsers()
    await sign_in_by_mail(referent, site, "rh@crest.fr")
    referent.get(f"{site.url}/referent")
    referent.find_element(By.ID, "email").send_keys("nouvel.elu@crest.fr")
    click(referent, "Envoyer l'invitation")
    assert "L'invitation est envoyée." in referent.page_source
    await wait_until(lambda: bool(site.inbox.to("nouvel.elu@crest.fr")), what="the invitation")
    assert "Crest" in site.inbox.to("nouvel.elu@crest.fr")[-1]["Subject"]

    elu = browsers()
    elu.get(site.inbox.link_to("nouvel.elu@crest.fr"))
    click(elu, "Me connecter")
    assert "Vous agissez pour Crest (élu·e)" in elu.page_source
    accessible(elu)


async def count(site: Site, table: str) -> int:
    conn = await asyncpg.connect(site.settings.database_url)
    try:
        value: int = await conn.fetchval(f"SELECT count(*) FROM portal.{table}")
        return value
    finally:
        await conn.close()


async def test_bad_input_gets_a_clear_french_message_and_changes_nothing(
    site: Site, browsers: Open
) -> None:
    browser = browsers()
    # A forged state: no sign-in, no session.
    browser.get(f"{site.url}/connexion/oidc/retour?code=x&state=forged")
    assert "Connexion impossible" in browser.page_source
    assert "recommencez la connexion" in browser.page_source
    accessible(browser)
    assert await count(site, "web_sessions") == 0

    # A replayed link.
    await sign_in_by_mail(browser, site, "elu@aouste.fr")
    link = site.inbox.link_to("elu@aouste.fr")
    sessions = await count(site, "web_sessions")
    other = browsers()
    other.get(link)
    click(other, "Me connecter")
    assert "déjà servi" in other.page_source
    accessible(other)
    assert await count(site, "web_sessions") == sessions

    # An expired link (the portal's clock moves 15 minutes on).
    other.get(f"{site.url}/connexion")
    other.find_element(By.ID, "email").send_keys("late@aouste.fr")
    click(other, "Recevoir un lien de connexion")
    await wait_until(lambda: bool(site.inbox.to("late@aouste.fr")), what="the late mail")
    site.clock.advance(timedelta(minutes=15))
    other.get(site.inbox.link_to("late@aouste.fr"))
    click(other, "Me connecter")
    assert "a expiré" in other.page_source
    assert await count(site, "web_sessions") == sessions

    # An unknown SIREN: refused, no membership.
    browser.get(f"{site.url}/adhesions/rejoindre?q=999999999")
    assert "Aucune collectivité ne correspond" in browser.page_source
    csrf = browser.find_element(By.NAME, "csrf").get_attribute("value")
    form_page = browser.find_element(By.TAG_NAME, "html")
    browser.execute_script(
        "const f = document.createElement('form'); f.method = 'post';"
        "f.action = '/adhesions/rejoindre';"
        "const fields = [['siren', '999999999'], ['role', 'elected'], ['csrf', arguments[0]]];"
        "for (const [k, v] of fields)"
        "{ const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;"
        " f.appendChild(i); } document.body.appendChild(f); f.submit();",
        csrf,
    )
    WebDriverWait(browser, 20).until(lambda _: left(form_page))
    assert "Aucune collectivité ne porte" in browser.page_source
    accessible(browser)
    assert await count(site, "memberships") == 0

    # An unvalidated membership: « Mon espace » says so and lending is not called for it.
    browser.get(f"{site.url}/adhesions/rejoindre?q=212600118")
    click(browser, "Demander à rejoindre")
    browser.get(f"{site.url}/espace")
    assert "pas encore validée" in browser.page_source
    assert "Visible dès que votre adhésion" in browser.page_source
    accessible(browser)
