"""Moderation and deliveries in a real browser on a phone, the portal beside the real
matching and notifications services (their tokens verified against the portal's JWKS,
events on the real broker, an SMTP catcher).

The élue of Crest posts an appel à pairs, the élu of Aouste sees it; an operator hides it
with a reason (a reason is required, said beside its field); the call leaves the élu's
list and the journal records it. The mail telling the élue is refused by her mail server
at first: the operator finds it among the failed deliveries and, the server fixed, clicks
« Réessayer » (a second retry changes nothing). The mail arrives; its link opens her
calls, where hers is marked hidden with the reason. Then the élu of Aouste writes to her
through the contact relay; she reports him from the link of the relayed mail; the operator
finds the report in the moderation queue and blocks him, and the relay refuses his next
message. axe-core on every page.

Lending's offers are in the same queue: the élue of Crest publishes one, the operator
hides it with a reason; it leaves the élu of Aouste's list, the élue is mailed the reason
and finds it among her collectivité's publications, marked hidden; the journal files the
decision under Crest."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from browser import PHONE, Open, accessible, click, fill, link, press, serving
from matching_site import ELU, ELUE, OPERATOR, csrf, person_of, post_call
from portal_pair import pair_settings

from deformations_common.auth import DEV_JWT_ISSUER, issue_dev_token
from deformations_common.codec import encode
from deformations_common.messaging import publish_once
from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.matching import MatchProposed
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal, axe_violations
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    free_port,
    isolated_settings,
    wait_until,
)
from deformations_lending.app import definition as lending_definition
from deformations_lending.settings import LendingSettings
from deformations_matching.app import definition as matching_definition
from deformations_matching.settings import MatchingSettings
from deformations_notifications.app import definition as notifications_definition
from deformations_notifications.settings import NotificationsSettings
from deformations_portal.app import definition as portal_definition

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CREST = "212601082"
ADVERT = (
    "Notre technicienne vous présente les chaudières de la société Chauffe-Tout, à prix réduit."
)
SELLING = "Publicité pour un prestataire privé"
RUDE = "Les élus de la commune voisine sont des incapables, qui veut en parler ?"
REASON = "Propos blessants envers une autre commune"
# A weekday morning in Paris: outside notifications' quiet hours, whatever the real time.
MORNING = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def sign_in(driver: Any, url: str, email: str) -> None:
    driver.get(f"{url}/connexion/dev")
    click(driver, f"Agir en tant que {email}")
    accessible(driver)


def to_calls(driver: Any) -> None:
    press(driver, link("Mes rencontres"))
    press(driver, link("Appels à pairs"))
    accessible(driver)


@dataclass
class Platform:
    url: str
    smtp: MailCatcher
    notifications: NotificationsSettings
    amqp_url: str


@pytest.fixture
async def platform(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Platform]:
    pair = pair_settings(infra, database_url, namespace, "matching", MatchingSettings)
    port, lending_port = free_port(), free_port()
    portal = pair.portal.model_copy(
        update={
            "service_urls": {
                **pair.portal.service_urls,
                "notifications": f"http://127.0.0.1:{port}",
                "lending": f"http://127.0.0.1:{lending_port}",
            }
        }
    )
    lending = isolated_settings(
        LendingSettings,
        infra,
        database_url,
        namespace,
        "lending",
        http_port=lending_port,
        jwt_jwks_url=f"{pair.url}/.well-known/jwks.json",
        jwt_issuer=portal.issuer,
        jwt_audience="lending",
    )
    async with MailCatcher.running() as smtp, AsyncExitStack() as stack:
        notifications = isolated_settings(
            NotificationsSettings,
            infra,
            database_url,
            namespace,
            "notifications",
            http_port=port,
            public_url=f"http://127.0.0.1:{port}",
            jwt_jwks_url=f"{pair.url}/.well-known/jwks.json",
            jwt_issuer=portal.issuer,
            jwt_audience="notifications",
            # Dev: the test registers the élue's address with a dev token, as the demo does.
            environment=Environment.DEV,
            smtp_port=smtp.port,
            app_url=pair.url,
            sender_poll_interval_s=0.05,
        )
        apps = {
            "portal": (create_app(portal_definition(portal)), pair.portal_port, portal),
            "matching": (
                create_app(matching_definition(pair.service)),
                pair.service_port,
                pair.service,
            ),
            "notifications": (
                create_app(notifications_definition(notifications, clock=ManualClock(MORNING))),
                port,
                notifications,
            ),
            "lending": (create_app(lending_definition(lending)), lending_port, lending),
        }
        for name, (app, app_port, _) in apps.items():
            await stack.enter_async_context(serving(app, app_port, name))
        await Portal(portal).run(demo.create_accounts)
        try:
            yield Platform(pair.url, smtp, notifications, infra.amqp_url)
        finally:
            for app, _, settings in apps.values():
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                await delete_broker_objects(infra.amqp_url, settings, subscriptions)


async def paired(platform: Platform, first: str, second: str) -> None:
    """Matching proposes the two as an élu–technicien pair: the relay's shared context.
    Returns once notifications took it in."""
    proposal = MatchProposed.model_validate(
        {
            "proposal_id": str(uuid4()),
            "kind": "elu_technicien_pair",
            "score": 0.8,
            "reasons": ["Même thème prioritaire"],
            "theme": "alimentation",
            "members": [first, second],
            "proposed_at": "2026-11-26T09:00:00Z",
        }
    )
    settings = platform.notifications
    await publish_once(
        platform.amqp_url, settings.events_exchange, [encode(proposal, source="matching")]
    )
    conn = await asyncpg.connect(
        settings.database_url, server_settings={"search_path": settings.schema_name}
    )
    try:

        async def known() -> bool:
            count = await conn.fetchval(
                "SELECT count(*) FROM relay_contexts WHERE context = $1",
                f"match:{proposal.proposal_id}",
            )
            return bool(count == 2)

        await wait_until(known, what="the pair known to the relay")
    finally:
        await conn.close()


def dev_auth(platform: Platform, email: str, authority: str | None = None) -> dict[str, str]:
    """A token of the dev issuer (accepted beside the portal's JWKS in dev only), vouching
    for the person's address as the portal's would."""
    dev = platform.notifications.model_copy(update={"jwt_issuer": DEV_JWT_ISSUER})
    token = issue_dev_token(
        dev, str(person_of(email)), authority=authority, email=email, email_verified=True
    )
    return {"Authorization": f"Bearer {token}"}


async def notifications(
    platform: Platform, method: str, path: str, body: Any, email: str, authority: str | None = None
) -> Any:
    async with httpx.AsyncClient(base_url=platform.notifications.public_url) as client:
        headers = dev_auth(platform, email, authority)
        return await client.request(method, path, json=body, headers=headers)


async def register(platform: Platform, email: str, authority: str | None = None) -> None:
    """Her address for notifications; with ``authority``, as one of that collectivité's
    people (told of what concerns it)."""
    body = {"email": email, "consent": True}
    registered = await notifications(platform, "PUT", "/v1/me/recipient", body, email, authority)
    assert registered.status_code in (200, 201), registered.text


async def test_an_operator_hides_a_call_retries_its_mail_and_blocks_a_reported_sender(
    platform: Platform, browsers: Open
) -> None:
    url, smtp = platform.url, platform.smtp
    elue_id = str(person_of(ELUE))
    await register(platform, ELUE)
    smtp.refuse_with = "550 5.2.1 mailbox disabled"
    async with signed_in(url, ELUE) as author:
        posted = await post_call(author, probleme=RUDE)
        assert posted.status_code == 303, posted.text

    driver = browsers(window=PHONE)
    sign_in(driver, url, ELU)
    to_calls(driver)
    assert RUDE in driver.page_source
    driver.delete_all_cookies()

    sign_in(driver, url, OPERATOR)
    press(driver, link("Opérateur"))
    press(driver, link("Modération"))
    accessible(driver)
    assert RUDE in driver.page_source and "Appel à pairs" in driver.page_source
    click(driver, "Masquer")  # without a reason: said beside the field, nothing hidden
    accessible(driver)
    assert "Indiquez pourquoi ce texte est masqué" in driver.page_source
    assert "masqué</strong> le" not in driver.page_source
    fill(driver, "motif-1", REASON)
    click(driver, "Masquer")
    accessible(driver)
    assert "Le texte est masqué ; son auteur est prévenu" in driver.page_source
    assert f"Motif : {REASON}" in driver.page_source

    # The mail server refused the mail for good: it waits among the failed deliveries.
    await wait_until(lambda: smtp.refused > 0, what="the refused mail")
    smtp.refuse_with = None
    press(driver, link("Envois en échec"))
    accessible(driver)
    assert "Courriels (1)" in driver.page_source
    assert "content.hidden pour " in driver.page_source
    page_of_failures = driver.current_url
    retry_form = driver.page_source
    click(driver, "Réessayer")
    accessible(driver)
    assert "L'envoi est relancé." in driver.page_source
    await wait_until(lambda: bool(smtp.to(ELUE)), what="the mail to the élue")
    driver.get(page_of_failures)
    assert "Aucun courriel en échec." in driver.page_source
    # The same « Réessayer » again (a second tab, a double click): nothing more happens.
    found = re.search(r'name="envoi" value="([^"]+)"', retry_form)
    assert found
    replay = re.search(r'name="csrf" value="([^"]+)"', retry_form)
    assert replay
    driver.execute_script(
        """const f = document.createElement('form'); f.method = 'post';
           f.action = '/operateur/envois';
           for (const [k, v] of Object.entries(arguments[0])) {
             const i = document.createElement('input'); i.type = 'hidden'; i.name = k;
             i.value = v; f.appendChild(i); }
           document.body.appendChild(f); f.submit();""",
        {"csrf": replay.group(1), "kind": "courriel", "envoi": found.group(1)},
    )
    await wait_until(lambda: "Rien à faire" in driver.page_source, what="the second retry")
    accessible(driver)

    press(driver, link("Revenir aux envois"))
    press(driver, link("Journal des décisions"))
    accessible(driver)
    assert "publication masquée" in driver.page_source
    assert f"Motif : {REASON}" in driver.page_source
    assert driver.page_source.count("envoi relancé</strong>") == 1
    driver.delete_all_cookies()

    sign_in(driver, url, ELU)
    to_calls(driver)
    assert RUDE not in driver.page_source
    driver.delete_all_cookies()

    [mail] = smtp.to(ELUE)
    text = mail.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert REASON in body and "votre appel à pairs" in body
    link_in_mail = re.search(rf"{re.escape(url)}/\S+", body)
    assert link_in_mail, body
    sign_in(driver, url, ELUE)
    driver.get(link_in_mail.group(0))
    accessible(driver)
    assert "Masqué par l'équipe de la plateforme" in driver.page_source
    assert RUDE in driver.page_source and REASON in driver.page_source
    driver.delete_all_cookies()

    # The contact relay: the élu writes to her, she reports him from the relayed mail.
    insult = {"to": elue_id, "subject": "Votre appel", "body": "Vous êtes une incapable."}
    await register(platform, ELU)
    await paired(platform, str(person_of(ELU)), elue_id)
    await wait_until(lambda: len(smtp.to(ELUE)) == 2, what="the pair's proposal")
    sent = await notifications(platform, "POST", "/v1/relay/messages", insult, ELU)
    assert sent.status_code == 201, sent.text
    await wait_until(lambda: len(smtp.to(ELUE)) == 3, what="the relayed message")
    relayed = smtp.to(ELUE)[2].get_body(("plain",))
    assert relayed is not None
    report_link = re.search(r"https?://\S+/v1/relay/report\?token=\S+", relayed.get_content())
    assert report_link, relayed.get_content()
    driver.get(report_link.group(0))
    # Notifications' own small page (not the portal's layout): axe-core all the same.
    assert axe_violations(driver) == []
    fill(driver, "reason", "Il m'insulte après mon appel à pairs.")
    click(driver, "Signaler")
    assert axe_violations(driver) == []
    assert "Signalement transmis" in driver.page_source

    sign_in(driver, url, OPERATOR)
    press(driver, link("Opérateur"))
    press(driver, link("Modération"))
    accessible(driver)
    assert "Signalements du relais (1)" in driver.page_source
    assert "Il m'insulte après mon appel à pairs." in driver.page_source
    assert "Vous êtes une incapable." in driver.page_source
    click(driver, "Bloquer l'expéditeur")  # without a reason: said beside the field
    accessible(driver)
    assert "Indiquez pourquoi cet expéditeur est bloqué." in driver.page_source
    fill(driver, "blocage-1", "Insultes envers une élue")
    click(driver, "Bloquer l'expéditeur")
    accessible(driver)
    assert "L'expéditeur est bloqué" in driver.page_source
    assert "Aucun signalement en attente." in driver.page_source
    press(driver, link("Journal des décisions"))
    assert "expéditeur bloqué sur le relais" in driver.page_source
    assert "Motif : Insultes envers une élue" in driver.page_source

    again = await notifications(platform, "POST", "/v1/relay/messages", insult, ELU)
    assert again.status_code == 403 and "bloqué vos messages" in again.json()["detail"]


@asynccontextmanager
async def signed_in(url: str, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        page = await client.get("/connexion/dev")
        signed = await client.post("/connexion/dev", data={"email": email, "csrf": csrf(page)})
        assert signed.status_code == 303, signed.text
        yield client


async def publish_offer(client: httpx.AsyncClient) -> str:
    """The offer's id, published through the portal's form."""
    form = await client.get("/competences/proposer")
    start = date.today() + timedelta(days=1)
    published = await client.post(
        "/competences/proposer",
        data={
            "csrf": csrf(form),
            "theme": "energie",
            "agent_role": "Technicienne énergie",
            "description": ADVERT,
            "visibilite": "visible",
            "agent_ref": "M-042",
            "capacite": "6",
            "du": start.isoformat(),
            "au": (start + timedelta(days=120)).isoformat(),
            "modalite": "either",
            "remboursement": "full_salary",
            "creneau": ["1:am", "2:pm"],
        },
    )
    assert published.status_code == 303, published.text
    found = re.search(r"/competences/offres/([0-9a-f-]{36})", published.headers["location"])
    assert found, published.headers["location"]
    return found.group(1)


async def test_an_operator_hides_an_offer_its_collectivite_is_told_and_still_sees_it(
    platform: Platform, browsers: Open
) -> None:
    url, smtp = platform.url, platform.smtp
    await register(platform, ELUE, authority=CREST)
    async with signed_in(url, ELUE) as lender, signed_in(url, ELU) as borrower:
        offer_id = await publish_offer(lender)
        assert f"/competences/offres/{offer_id}" in (await borrower.get("/competences")).text

        driver = browsers(window=PHONE)
        sign_in(driver, url, OPERATOR)
        press(driver, link("Opérateur"))
        press(driver, link("Modération"))
        accessible(driver)
        assert "Offre de compétence" in driver.page_source and ADVERT in driver.page_source
        assert "Par Crest" in driver.page_source
        fill(driver, "motif-1", SELLING)
        click(driver, "Masquer")
        accessible(driver)
        assert "Le texte est masqué ; son auteur est prévenu" in driver.page_source
        assert f"Motif : {SELLING}" in driver.page_source
        driver.get(f"{url}/operateur/journal?siren={CREST}")
        accessible(driver)
        assert "publication masquée" in driver.page_source
        assert f"lending:offer:{offer_id}" in driver.page_source
        driver.delete_all_cookies()

        # Out of the public list; its page is no one else's.
        assert f"/competences/offres/{offer_id}" not in (await borrower.get("/competences")).text
        assert (await borrower.get(f"/competences/offres/{offer_id}")).status_code == 404

    await wait_until(lambda: bool(smtp.to(ELUE)), what="the mail to Crest's élue")
    [mail] = smtp.to(ELUE)
    text = mail.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert SELLING in body and "votre offre de compétence" in body
    link_in_mail = re.search(rf"{re.escape(url)}/\S+", body)
    assert link_in_mail, body
    sign_in(driver, url, ELUE)
    driver.get(link_in_mail.group(0))
    accessible(driver)
    assert "Les publications de ma collectivité" in driver.page_source
    assert "masquée</strong> par l'équipe de la plateforme" in driver.page_source
    assert SELLING in driver.page_source
    driver.get(f"{url}/competences/offres/{offer_id}")
    accessible(driver)
    assert "Cette offre est masquée par l'équipe de la plateforme" in driver.page_source
    assert SELLING in driver.page_source and ADVERT in driver.page_source
