"""Meeting peers by clicking, from the e-mails that start each step (issue #12): a
groupe d'entraide formed, accepted, left and refilled; a café cycle planned, a session
moved and one cancelled; a speed-dating evening, its marks and the contact relay.

Portal, matching and notifications run on real ports over one broker, with an SMTP
catcher. Each step a mail asks for is reached by opening the caught mail's link signed
out, as the person it was sent to: sign-in brings them back to it. One browser, phone
size, people signing in in turn; axe-core on every page. Matching and notifications
share a hand-moved clock (an evening can end); the portal keeps real time, so its tokens
stay valid.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

import asyncpg
import httpx
import pytest
from browser import Open, accessible, button, click, fill, link, press, serving
from matching_site import AGENT, ELU, ELUE, MORE, RH, TRAINER, person_of
from matching_site import Site as MatchingSite
from test_portal_matching_browser import (
    THEME,
    answer_the_call,
    join_the_call,
    set_value,
    sign_in,
    sign_out,
    tick,
    to_calls,
)

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_common.vocabulary.clock import ManualClock
from deformations_common.vocabulary.french import PARIS
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
from deformations_matching.app import definition as matching_definition
from deformations_matching.settings import MatchingSettings
from deformations_notifications.app import definition as notifications_definition
from deformations_notifications.rendering.renderer import PLATFORM_NAME
from deformations_notifications.settings import NotificationsSettings
from deformations_portal.app import definition as portal_definition
from deformations_portal.repositories.people import Identity
from deformations_portal.service import memberships, people, tokens
from deformations_portal.settings import PortalSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# A fifth élue (of Crest): the one who takes the place left in the group.
NEWCOMER = "conseillere@crest.demo.deformations.fr"
ELECTED = (*MORE, (NEWCOMER, demo.CREST))
EVERYONE = (ELUE, ELU, *(email for email, _ in ELECTED), RH, AGENT, TRAINER)
CREST_MEMBERS = (ELUE, AGENT, MORE[0][0], NEWCOMER)
EPCI_ELECTED = ((ELUE, demo.CREST), (ELU, demo.AOUSTE), *ELECTED)


def at_ten(day: datetime) -> datetime:
    """10:00 in Paris that day: outside the quiet hours, mails go at once."""
    return datetime.combine(day.astimezone(PARIS).date(), time(10), tzinfo=PARIS)


@dataclass
class Site:
    url: str
    clock: ManualClock  # matching's and notifications'
    smtp: MailCatcher
    matching: MatchingSite  # for its wait on memberships
    database_url: str

    def mails(self, to: str, subject: str) -> list[EmailMessage]:
        return [
            m
            for m in self.smtp.messages()
            if m["To"] == to and str(m["Subject"]).startswith(subject)
        ]

    async def mail(self, to: str, subject: str, count: int = 1) -> EmailMessage:
        """The ``count``-th mail to ``to`` whose subject starts with ``subject``."""
        await wait_until(
            lambda: len(self.mails(to, subject)) >= count,
            timeout_s=30,
            what=f"mail {count} « {subject} » to {to}",
        )
        return self.mails(to, subject)[count - 1]

    async def notified(self, email: str, template: str) -> int:
        """How many notifications of this template notifications recorded for the person
        (sent or not): recorded with the event, so none is still to come."""
        conn = await asyncpg.connect(self.database_url)
        try:
            found = await conn.fetchval(
                """SELECT count(*) FROM notifications.notifications
                    WHERE recipient_id = $1 AND template = $2""",
                str(person_of(email)),
                template,
            )
        finally:
            await conn.close()
        return int(found)

    async def handled(self, routing_key: str) -> int:
        """How many events of this type notifications has handled (its inbox)."""
        conn = await asyncpg.connect(self.database_url)
        try:
            found = await conn.fetchval(
                "SELECT count(*) FROM notifications.inbox WHERE subscription LIKE $1",
                f"%{routing_key}",
            )
        finally:
            await conn.close()
        return int(found)


async def add_elected(uow: Any) -> None:
    """Three more élus, validated by the demo operator."""
    operator = await uow.persons.identity(people.EMAIL_ISSUER, demo.ACCOUNTS[-1].email)
    for email, siren in ELECTED:
        person_id = person_of(email)
        await uow.persons.add(person_id, uow.now())
        await uow.persons.save_identity(
            Identity(people.EMAIL_ISSUER, email, person_id, email, None, None), uow.now()
        )
        asked = await memberships.request_join(uow, person_id, siren, "elected")
        await memberships.decide(uow, operator.person_id, asked.membership_id, accept=True)


async def register_addresses(portal: PortalSettings, notifications_url: str) -> None:
    """Each person's address and consent, as « Mes préférences » records them."""
    issuer = await Portal(portal).run(tokens.load_issuer)
    async with httpx.AsyncClient(base_url=notifications_url) as api:
        for email in EVERYONE:
            token = issuer.issue(
                person_of(email),
                None,
                "notifications",
                datetime.now(UTC),
                email=email,
                email_verified=True,
            )
            answer = await api.put(
                "/v1/me/recipient",
                json={"email": email, "consent": True},
                headers={"authorization": f"Bearer {token}"},
            )
            assert answer.status_code in (200, 201), answer.text


@pytest.fixture
async def smtp() -> AsyncIterator[MailCatcher]:
    async with MailCatcher.running() as catcher:
        yield catcher


@pytest.fixture
async def site(
    infra: Infra, database_url: str, namespace: str, smtp: MailCatcher
) -> AsyncIterator[Site]:
    names = ("portal", "matching", "notifications")
    ports = {name: free_port() for name in names}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    portal = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        http_port=ports["portal"],
        public_url=urls["portal"],
        app_url=urls["portal"],
        smtp_port=1,
        environment=Environment.DEV,
        service_urls={n: urls[n] for n in names if n != "portal"},
    )

    def verifying(cls: type[Any], name: str, **extra: Any) -> Any:
        return isolated_settings(
            cls,
            infra,
            database_url,
            namespace,
            name,
            http_port=ports[name],
            jwt_jwks_url=f"{urls['portal']}/.well-known/jwks.json",
            jwt_issuer=portal.issuer,
            jwt_audience=name,
            **extra,
        )

    settings = {
        "portal": portal,
        "matching": verifying(MatchingSettings, "matching", rematch_interval_s=0),
        "notifications": verifying(
            NotificationsSettings,
            "notifications",
            smtp_port=smtp.port,
            sender_poll_interval_s=0.05,
            app_url=urls["portal"],
            public_url=urls["notifications"],
        ),
    }
    clock = ManualClock(at_ten(datetime.now(UTC) + timedelta(days=1)))
    apps = {
        "portal": create_app(portal_definition(portal)),
        "matching": create_app(matching_definition(settings["matching"], clock=clock)),
        "notifications": create_app(
            notifications_definition(settings["notifications"], clock=clock)
        ),
    }
    async with AsyncExitStack() as stack:
        for name, app in apps.items():
            await stack.enter_async_context(serving(app, ports[name], name))
        await Portal(portal).run(demo.create_accounts)
        await Portal(portal).run(add_elected)
        await register_addresses(portal, urls["notifications"])
        matching = MatchingSite(
            urls["portal"], clock, apps["matching"], infra.amqp_url, namespace, database_url
        )
        try:
            yield Site(urls["portal"], clock, smtp, matching, database_url)
        finally:
            for name, app in apps.items():
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                await delete_broker_objects(infra.amqp_url, settings[name], subscriptions)


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def link_in(mail: EmailMessage, path: str) -> str:
    """The one link of the mail's text whose path matches ``path`` (a regex)."""
    [found] = set(re.findall(rf"https?://\S+?{path}", text_of(mail)))
    return str(found)


def href_in(mail: EmailMessage, start: str) -> str:
    """The one link of the mail's HTML whose path starts with ``start``."""
    body = mail.get_body(("html",))
    assert body is not None
    [found] = {
        html.unescape(h) for h in re.findall(r'href="([^"]+)"', body.get_content()) if start in h
    }
    return found


def calendar_of(mail: EmailMessage) -> dict[str, str]:
    """METHOD, UID and SEQUENCE of the mail's invitation (its inline text/calendar part)."""
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    ics = part.get_content()
    fields = dict(re.findall(r"^(METHOD|UID|SEQUENCE):(.+?)\r?$", ics, re.MULTILINE))
    assert set(fields) == {"METHOD", "UID", "SEQUENCE"}, ics
    return fields


def follow(driver: Any, url: str, site: Site, email: str) -> None:
    """Open a mail's link as its reader would, signed out: sign-in brings them back to it."""
    driver.delete_all_cookies()
    driver.get(url)
    assert "/connexion" in driver.current_url, driver.current_url
    driver.get(f"{site.url}/connexion/dev")
    click(driver, f"Agir en tant que {email}")
    accessible(driver)


def page_text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "main").text)


def group_members(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    items = driver.find_elements(By.XPATH, "//h2[.='Les membres']/following-sibling::ul[1]/li")
    return [str(i.text) for i in items]


PROPOSED = "Un groupe d'entraide vous est proposé"
FORMED = "Votre groupe d'entraide est formé"


async def accept_from_the_mail(driver: Any, site: Site, email: str, count: int = 1) -> None:
    mail = await site.mail(email, PROPOSED, count)
    follow(driver, link_in(mail, "/propositions/[0-9a-f-]{36}"), site, email)
    assert "/pairs/groupes/" in driver.current_url
    assert "en attente des réponses" in driver.page_source
    click(driver, "J'accepte ma place")
    accessible(driver)
    assert "Vous avez accepté votre place dans le groupe." in driver.page_source


async def test_a_peer_group_is_formed_accepted_from_the_mails_left_and_refilled(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browsers()
    # Four élus answer one theme by clicking: an appel, a join, two answers.
    sign_in(driver, site.url, ELUE)
    to_calls(driver)
    press(driver, link("Lancer un appel à pairs"))
    Select(driver.find_element(By.ID, "theme")).select_by_value("energie")
    fill(driver, "probleme", "Nos écoles chauffent mal et coûtent cher : par où commencer ?")
    tick(driver, "creneau-evening")
    click(driver, "Publier mon appel")
    assert "Votre appel à pairs est publié." in driver.page_source
    sign_out(driver)
    join_the_call(driver, site.url, ELU)
    for email, _ in MORE:
        answer_the_call(driver, site.url, email)
    sign_in(driver, site.url, ELUE)
    to_calls(driver)
    click(driver, "Constituer le groupe")
    accessible(driver)
    assert "1 sur 4 ont accepté" in driver.page_source
    sign_out(driver)
    # Her place is accepted as she forms it: she is told the group is formed, and its
    # page, not asked to answer.
    formed = await site.mail(ELUE, FORMED)
    assert "rien à répondre" in text_of(formed) and "pas répondu" not in text_of(formed)
    follow(driver, link_in(formed, "/propositions/[0-9a-f-]{36}"), site, ELUE)
    assert "/pairs/groupes/" in driver.current_url
    assert "1 sur 4 ont accepté" in driver.page_source
    assert not driver.find_elements(By.XPATH, button("J'accepte ma place"))

    # Each invited member follows the mail's link and accepts; names stay hidden meanwhile.
    invited = [ELU, MORE[0][0], MORE[1][0]]
    for email in invited:
        await accept_from_the_mail(driver, site, email)
        members = group_members(driver)
        if email != invited[-1]:
            assert any("dont le nom sera révélé" in m for m in members), members
    assert "confirmé : tout le monde a accepté" in driver.page_source
    assert len(group_members(driver)) == 4
    assert not any("dont le nom sera révélé" in m for m in group_members(driver))
    group_path = driver.current_url.removeprefix(site.url).split("?")[0]

    # A fifth élue calls on the same theme; then one member leaves by clicking.
    sign_in(driver, site.url, NEWCOMER)
    to_calls(driver)
    press(driver, link("Lancer un appel à pairs"))
    Select(driver.find_element(By.ID, "theme")).select_by_value("energie")
    fill(driver, "probleme", "Chauffer la salle des fêtes sans fioul : qui l'a fait ?")
    tick(driver, "creneau-evening")
    click(driver, "Publier mon appel")
    sign_out(driver)
    leaver = MORE[1][0]
    # The group's address, opened signed out (a bookmark), comes back after sign-in.
    follow(driver, f"{site.url}{group_path}", site, leaver)
    assert driver.current_url.removeprefix(site.url) == group_path
    click(driver, "Quitter le groupe")
    accessible(driver)
    assert "Vous avez quitté le groupe." in driver.page_source
    assert not driver.find_elements(By.XPATH, button("Quitter le groupe"))

    # The replacement's invitation: caught, followed, accepted; the group is whole again.
    await accept_from_the_mail(driver, site, NEWCOMER)
    assert driver.current_url.removeprefix(site.url).split("?")[0] == group_path
    assert "confirmé : tout le monde a accepté" in driver.page_source
    assert len(group_members(driver)) == 4
    # Her « Mes rencontres » leads to the group too.
    press(driver, link("Mes rencontres"))
    accessible(driver)
    press(driver, link(THEME))
    assert driver.current_url.removeprefix(site.url) == group_path
    # The replacement's proposal names everyone still in: only she was told of it; the
    # author was never asked to answer.
    for email in (ELU, MORE[0][0], leaver):
        assert await site.notified(email, "match.proposed") == 1, email
    assert await site.notified(ELUE, "match.proposed") == 0
    assert await site.notified(ELUE, "match.group_formed") == 1


async def test_a_cafe_cycle_is_planned_by_invitation_then_a_session_moved_and_one_cancelled(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By

    for email in CREST_MEMBERS:
        await site.matching.member_known(email, demo.CREST)
    day = (site.clock() + timedelta(days=12)).astimezone(PARIS).date()
    driver = browsers()
    sign_in(driver, site.url, RH)
    press(driver, link("Mes rencontres"))
    press(driver, link("Organiser un café élus–techniciens"))
    accessible(driver)
    set_value(driver, "premier_jour", day.isoformat())
    fill(driver, "lieu", "Mairie de Crest, salle des mariages")
    tick(driver, "sujet-energie")
    click(driver, "Former les binômes")
    accessible(driver)
    cafe_path = driver.current_url.removeprefix(site.url)

    # Each participant of the pair: one invitation per café, each with its own UID.
    invited = "Invitation : Petit café élu–technicien"
    first = await site.mail(AGENT, invited, 3)
    elus = [e for e in CREST_MEMBERS if e != AGENT]
    await wait_until(
        lambda: any(len(site.mails(e, invited)) == 3 for e in elus), what="the élu·e's invitations"
    )
    [paired] = [e for e in elus if site.mails(e, invited)]
    uids: dict[str, str] = {}
    for email in (AGENT, paired):
        for mail in await wait_for_mails(site, email, invited, 3):
            ics = calendar_of(mail)
            assert (ics["METHOD"], ics["SEQUENCE"]) == ("REQUEST", "0")
            number = re.search(r"\((\d)/3\)", str(mail["Subject"]))
            assert number is not None
            assert uids.setdefault(number.group(1), ics["UID"]) == ics["UID"]
    assert len(set(uids.values())) == 3
    # The pair's mail says the invitations follow, and its page lists the three cafés.
    pair = await site.mail(AGENT, "Un binôme vous est proposé")
    assert "répondu" not in text_of(pair)
    follow(driver, link_in(pair, "/propositions/[0-9a-f-]{36}"), site, AGENT)
    assert "Un binôme élu·e–technicien·ne pour un petit café mensuel" in page_text(driver)
    assert "Énergie" in page_text(driver)
    assert len(driver.find_elements(By.XPATH, "//a[contains(., 'Petit café')]")) == 3
    # The agent follows one invitation: the café's session page.
    follow(driver, link_in(first, "/seances/[0-9a-f-]{36}"), site, AGENT)
    assert "Petit café élu–technicien" in driver.page_source

    # The RH moves the second café and cancels the third from the café's page.
    later = day + timedelta(days=45)
    driver.delete_all_cookies()
    sign_in(driver, site.url, RH)
    driver.get(f"{site.url}{cafe_path}")
    accessible(driver)
    press(driver, "//a[contains(., '(2/3)')]")
    accessible(driver)
    set_value(driver, "jour", later.isoformat())
    set_value(driver, "heure", "08:30")
    fill(driver, "raison-deplacer", "Conseil municipal ce matin-là")
    click(driver, "Déplacer")
    accessible(driver)
    assert "La séance est déplacée" in driver.page_source
    driver.get(f"{site.url}{cafe_path}")
    press(driver, "//a[contains(., '(3/3)')]")
    fill(driver, "raison-annuler", "Fermeture de la mairie pour travaux")
    click(driver, "Annuler la séance")
    accessible(driver)
    assert "La séance est annulée" in driver.page_source
    assert not driver.find_elements(By.XPATH, button("Déplacer"))
    driver.get(f"{site.url}{cafe_path}")
    accessible(driver)
    assert "annulé" in page_text(driver)

    # Both participants get the update (same UID, SEQUENCE + 1) and the cancellation.
    for email in (AGENT, paired):
        moved = await site.mail(email, "Nouvel horaire : Petit café élu–technicien (2/3)")
        assert calendar_of(moved) == {"METHOD": "REQUEST", "UID": uids["2"], "SEQUENCE": "1"}
        cancelled = await site.mail(email, "Annulé : Petit café élu–technicien (3/3)")
        assert calendar_of(cancelled) == {"METHOD": "CANCEL", "UID": uids["3"], "SEQUENCE": "1"}
        assert "Fermeture de la mairie pour travaux" in text_of(cancelled)
    # The élu·e follows the new time: the session page says it.
    follow(driver, link_in(moved, "/seances/[0-9a-f-]{36}"), site, paired)
    assert "8 h 30" in page_text(driver)


async def wait_for_mails(site: Site, to: str, subject: str, count: int) -> list[EmailMessage]:
    await site.mail(to, subject, count)
    return site.mails(to, subject)


async def test_a_speed_dating_evening_one_invitation_each_then_marks_and_the_relay(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By

    for email, siren in EPCI_ELECTED:
        await site.matching.member_known(email, siren)
    rotations = await site.handled("match.proposed.v1")
    evenings = await site.handled("session.scheduled.v1")
    day = (site.clock() + timedelta(days=3)).astimezone(PARIS).date()
    driver = browsers()
    sign_in(driver, site.url, TRAINER)
    press(driver, link("Mes rencontres"))
    press(driver, link("Organiser un speed dating"))
    accessible(driver)
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name=participant]"):
        box.click()
    set_value(driver, "jour", day.isoformat())
    set_value(driver, "heure", "18:30")
    fill(driver, "tours", "2")
    fill(driver, "lieu", "Salle des fêtes de Crest")
    click(driver, "Tirer les tours")
    accessible(driver)
    sign_out(driver)

    # One invitation per participant for the whole evening; nothing else about it.
    invitation = "Invitation : Speed dating entre voisins"
    participants = [email for email, _ in EPCI_ELECTED]
    for email in participants:
        await site.mail(email, invitation)

    async def both_handled() -> bool:
        return (
            await site.handled("match.proposed.v1") > rotations
            and await site.handled("session.scheduled.v1") > evenings
        )

    await wait_until(both_handled, what="the evening's events in notifications")
    # The evening ends (19:00 in Paris, before the quiet hours): each is asked for marks.
    site.clock.set(datetime.combine(day, time(19), tzinfo=PARIS))
    asked = "Atomes crochus : qui aimeriez-vous revoir ?"
    mail = await site.mail(ELU, asked)
    follow(driver, link_in(mail, "/speed-dating/[0-9a-f-]{36}"), site, ELU)
    assert "Mes atomes crochus" in driver.page_source
    met = [
        str(box.get_attribute("value"))
        for box in driver.find_elements(By.CSS_SELECTOR, "input[name=revoir]")
    ]
    assert met, "the élu of Aouste met nobody"
    other = next(email for email in participants if str(person_of(email)) in met[:1])
    tick(driver, f"revoir-{met[0]}")
    click(driver, "Enregistrer mes choix")
    accessible(driver)
    assert "Vos choix sont enregistrés." in driver.page_source
    assert "Atomes crochus :" not in driver.page_source  # not mutual yet

    mail = await site.mail(other, asked)
    follow(driver, link_in(mail, "/speed-dating/[0-9a-f-]{36}"), site, other)
    elu = str(person_of(ELU))
    tick(driver, f"revoir-{elu}")
    click(driver, "Enregistrer mes choix")
    accessible(driver)
    assert "Atomes crochus : " in driver.page_source
    # The mutual mark: she writes to him through the relay, neither address shown.
    fill(driver, f"message-{elu}", "Ravie de notre échange sur les cantines : on s'appelle ?")
    press(driver, f"//form[.//input[@name='a' and @value='{elu}']]//button")
    accessible(driver)
    assert "Votre message est transmis par la plateforme" in driver.page_source

    relayed = await site.mail(ELU, f"Message via {PLATFORM_NAME} : Après le speed dating")
    text = text_of(relayed)
    assert "cantines" in text and other not in text
    driver.delete_all_cookies()
    driver.get(href_in(relayed, "/v1/relay/reply?token="))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert axe_violations(driver) == []
    driver.find_element(By.NAME, "body").send_keys("Avec plaisir, jeudi midi ?")
    press(driver, button("Envoyer"))
    assert "Votre réponse a été transmise." in driver.page_source
    assert axe_violations(driver) == []
    answer = await site.mail(other, f"Message via {PLATFORM_NAME} : Re : votre message")
    assert "jeudi midi" in text_of(answer)

    # Exactly one invitation each, none per round, and no separate mail for the rotation.
    for email in participants:
        assert len(site.mails(email, invitation)) == 1, email
        assert site.mails(email, "Une rencontre vous est proposée") == [], email
    assert len(site.mails(TRAINER, invitation)) == 0
