"""The Crest → Aouste-sur-Sye loan played from the e-mails that start each step (issue #12),
in real headless Chromium on a phone's screen, axe-core on every page of the portal.

Notifications runs beside the portal and lending and mails an SMTP catcher. Four people
(the élue and the RH of Crest, its agent, the élu of Aouste-sur-Sye) say in « Mes
préférences » where to be told; then each step a mail asks for is reached by opening that
mail's link in the browser as the person it was sent to: signed out, the link goes
through sign-in and comes back; an action link readies the action and changes nothing
until the person confirms it with a POST. Every mail the journey sends is caught, was
meant for that person (nobody else gets « Un prêt attend votre accord »), and its link
is followed. The agent's consent is theirs: the RH names them, their own mail asks them,
and a consent the RH forges is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from asyncpg import Pool
from browser import PHONE, Open, accessible, button, click, fill, link, press
from portal_lending_support import AGENT, BORROWER, HR, LENDER, Site, lending_site, next_monday
from test_portal_lending_browser import ROLE, choose, open_the_loan, set_date, text, tick

from deformations_common.db import create_pool
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.people import person_id
from deformations_devtools.testing import Infra, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PEOPLE = {LENDER: "elue-crest", BORROWER: "elu-aouste", HR: "rh-crest", AGENT: "agent-crest"}
# Each mail's button, by the words before its link in the text part.
BUTTONS = re.compile(
    r"(?:Voir et confirmer|Voir la mise à disposition|Voir la séance|Donner mon avis) : (\S+)"
)
ASKED = "Un prêt attend votre accord"
ANSWER = "Un prêt attend votre réponse"  # the agent's own consent
AGREED = "Mise à disposition convenue"
INVITED = "Invitation : Prêt de compétences"
ENDED = "Mise à disposition terminée"


@pytest.fixture
async def smtp() -> AsyncIterator[MailCatcher]:
    async with MailCatcher.running() as catcher:
        yield catcher


@pytest.fixture
async def site(
    infra: Infra, database_url: str, namespace: str, smtp: MailCatcher
) -> AsyncIterator[Site]:
    async with lending_site(infra, database_url, namespace, smtp_port=smtp.port) as running:
        yield running


def kind(mail: EmailMessage) -> str:
    subject = str(mail["Subject"])
    return next(k for k in (ASKED, ANSWER, AGREED, INVITED, ENDED) if subject.startswith(k))


@dataclass
class Mailbox:
    """The caught mails, each taken once by the step that follows its link."""

    smtp: MailCatcher
    taken: set[str] = field(default_factory=set)

    def _waiting(self, to: str, subject: str) -> list[EmailMessage]:
        return [
            m
            for m in self.smtp.messages()
            if m["To"] == to
            and str(m["Subject"]).startswith(subject)
            and m["Message-ID"] not in self.taken
        ]

    async def take(self, to: str, subject: str, count: int = 1) -> list[EmailMessage]:
        await wait_until(
            lambda: len(self._waiting(to, subject)) >= count,
            timeout_s=30,
            what=f"{count} mail(s) « {subject} » to {to}",
        )
        mails = self._waiting(to, subject)
        assert len(mails) == count, [str(m["Subject"]) for m in mails]
        self.taken |= {m["Message-ID"] for m in mails}
        return mails


def button_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    found = BUTTONS.findall(content)
    assert len(found) == 1, content
    return str(found[0])


@dataclass
class Browser:
    driver: Any
    site: Site
    signed_in: str | None = None

    def sign_out(self) -> None:
        if self.signed_in is not None:
            click(self.driver, "Se déconnecter")
            self.signed_in = None

    def sign_in(self, email: str) -> None:
        """From the dev sign-in page, as a demo account."""
        self.sign_out()
        self.driver.get(f"{self.site.url}/connexion/dev")
        click(self.driver, f"Agir en tant que {email}")
        self.signed_in = email

    def follow(self, mail: EmailMessage) -> None:
        """Open the mail's link as the person it was sent to (signing in on the way if
        need be): the page it names is shown, checked with axe-core."""
        target = urlsplit(button_of(mail))
        assert f"{target.scheme}://{target.netloc}" == self.site.url
        to = str(mail["To"])
        if self.signed_in != to:
            self.sign_out()
        self.driver.get(target.geturl())
        if self.signed_in != to:
            assert urlsplit(self.driver.current_url).path == "/connexion"
            accessible(self.driver)
            press(self.driver, link("Comptes de démonstration (développement)"))
            click(self.driver, f"Agir en tant que {to}")
            self.signed_in = to
        arrived = urlsplit(self.driver.current_url)
        assert (arrived.path, arrived.query) == (target.path, target.query)
        accessible(self.driver)


def tell_me_here(browser: Browser, email: str) -> None:
    """« Mes préférences »: mails at the sign-in address, at any hour, consent given."""
    browser.sign_in(email)
    driver = browser.driver
    press(driver, link("Mon espace"))
    press(driver, link("Choisir où et quand être prévenu·e"))
    accessible(driver)
    fill(driver, "email", email)
    quiet = driver.find_element("id", "quiet")
    if quiet.is_selected():
        quiet.click()  # the test may run at night: nothing held until the morning
    tick(driver, "//input[@id='consent']")
    click(driver, "Enregistrer mes préférences")
    assert "Vos préférences sont enregistrées." in text(driver)


@pytest.fixture
async def notifications_db(site: Site) -> AsyncIterator[Pool]:
    """Notifications' tables, read from this loop (its own pool lives on the thread
    serving it)."""
    assert site.notifications is not None
    settings = site.notifications.state.definition.settings
    pool = await create_pool(settings.database_url, settings.schema_name, min_size=1, max_size=1)
    try:
        yield pool
    finally:
        await pool.close()


async def memberships_known(pool: Pool) -> None:
    """Notifications learnt the four validated memberships the portal published."""
    wanted = {str(person_id(name)) for name in PEOPLE.values()}

    async def known() -> bool:
        rows = await pool.fetch("SELECT person_id FROM memberships WHERE status = 'validated'")
        return wanted <= {r["person_id"] for r in rows}

    await wait_until(known, timeout_s=30, what="the demo memberships known to notifications")


async def all_sent(pool: Pool) -> None:
    """Every notification due has gone (the session reminders are weeks away)."""

    async def idle() -> bool:
        due = await pool.fetchval(
            "SELECT count(*) FROM notifications WHERE status IN ('pending', 'sending')"
            " AND send_at <= now()"
        )
        return bool(due == 0)

    await wait_until(idle, timeout_s=30, what="every due notification sent")


async def test_the_loan_is_played_from_the_mails_that_start_each_step(
    site: Site, smtp: MailCatcher, notifications_db: Pool, browsers: Open
) -> None:
    browser = Browser(browsers(window=PHONE), site)
    driver = browser.driver
    mails = Mailbox(smtp)
    start = (site.clock() + timedelta(days=1)).date()
    day = next_monday(site.clock(), 14)

    for email in (HR, AGENT, BORROWER, LENDER):
        tell_me_here(browser, email)
    await memberships_known(notifications_db)

    # The élue of Crest offers the skill; the élu of Aouste-sur-Sye asks for it.
    press(driver, link("Prêts de compétences"))
    press(driver, link("Proposer une compétence"))
    choose(driver, "theme", "energie")
    fill(driver, "agent_role", ROLE)
    fill(driver, "description", "Un diagnostic des bâtiments communaux et un plan de sobriété.")
    fill(driver, "agent_ref", "M-042")
    fill(driver, "capacite", "6")
    set_date(driver, "du", start.isoformat())
    set_date(driver, "au", (start + timedelta(days=120)).isoformat())
    tick(driver, "//input[@name='creneau' and @value='1:am']")
    choose(driver, "remboursement", "full_salary")
    click(driver, "Publier l'offre")
    assert "Votre offre est publiée" in text(driver)
    browser.sign_in(BORROWER)
    press(driver, link("Prêts de compétences"))
    choose(driver, "pres", "departement")
    click(driver, "Chercher")
    press(driver, link(ROLE))
    fill(driver, "demi_journees", "2")
    fill(driver, "perimetre", "Diagnostic de l'école et de la mairie.")
    click(driver, "Demander ce prêt")
    assert "Votre demande est envoyée" in text(driver)
    browser.sign_out()

    # Crest's élue approves from her mail, signed out at first: the link readies the
    # approval, which waits for her click.
    [asked] = await mails.take(LENDER, ASKED)
    browser.follow(asked)
    assert "Vous êtes invité·e à approuver ce prêt" in text(driver)
    assert "Accord de l'élu·e de la collectivité qui prête : en attente" in text(driver)
    click(driver, "Donner l'accord de l'élu·e de la collectivité d'origine")
    accessible(driver)
    assert "Votre accord est enregistré." in text(driver)
    assert "Accord de l'élu·e de la collectivité qui prête : donné" in text(driver)

    # Crest's RH, from her one mail, approves and names the agent who will go.
    [approval] = await mails.take(HR, ASKED)
    browser.follow(approval)
    assert "Vous êtes invité·e à approuver ce prêt" in text(driver)
    assert driver.find_elements("xpath", link("Choisir l'agent et valider"))  # to the form
    tick(driver, "//select[@id='rh-agent']/option[contains(., 'agent@crest')]")
    click(driver, "Valider et désigner l'agent")
    accessible(driver)
    assert "Votre accord est enregistré." in text(driver)
    assert "doit maintenant donner son accord, en personne" in text(driver)
    assert "Je donne mon accord" not in text(driver)

    # She cannot consent for the agent: a consent forged from her page (her session, its
    # CSRF token) is refused by lending, in French, and nothing changes.
    loan_path = urlsplit(driver.current_url).path
    driver.execute_script(
        """const form = document.createElement('form');
        form.method = 'post';
        form.action = arguments[0];
        const csrf = document.createElement('input');
        csrf.type = 'hidden';
        csrf.name = 'csrf';
        csrf.value = document.querySelector('input[name=csrf]').value;
        const send = document.createElement('button');
        send.textContent = 'Forger son accord';
        form.append(csrf, send);
        document.querySelector('main').append(form);""",
        f"{loan_path}/accord-agent",
    )
    press(driver, button("Forger son accord"))
    accessible(driver)
    assert "réservée au rôle : agent" in text(driver)
    assert "Accord de l'agent (en personne) : en attente" in text(driver)
    assert "convenu" not in text(driver)

    # The agent, asked by a mail of their own, consents personally.
    [consent] = await mails.take(AGENT, ANSWER)
    browser.follow(consent)
    assert "Vous êtes invité·e à donner ou refuser votre accord" in text(driver)
    assert "Refuser le prêt" not in text(driver) and "Annuler ce prêt" not in text(driver)
    click(driver, "Je donne mon accord")
    accessible(driver)
    assert "Votre accord est enregistré : merci." in text(driver)
    assert "convenu" in text(driver)

    # Nobody else was asked: not the other side of the loan.
    asked_people = await notifications_db.fetch(
        "SELECT DISTINCT recipient_id FROM notifications WHERE event_type = $1",
        "loan.action_requested.v1",
    )
    assert {r["recipient_id"] for r in asked_people} == {
        str(person_id(PEOPLE[LENDER])),
        str(person_id(PEOPLE[HR])),
        str(person_id(PEOPLE[AGENT])),
    }

    # The loan is agreed: the four are told. The RH and the agent see it from the mail.
    [agreed] = await mails.take(HR, AGREED)
    browser.follow(agreed)
    assert "convenu" in text(driver)
    [agreed] = await mails.take(AGENT, AGREED)
    browser.follow(agreed)
    assert "Accord de l'agent (en personne) : donné" in text(driver)
    assert "L'attestation des demi-journées effectuées" not in text(driver)  # none held yet

    # From his mail, the élu of Aouste proposes a half-day; its invitation reaches him and
    # the agent, whose link shows the half-day and leads to the loan.
    [agreed] = await mails.take(BORROWER, AGREED)
    browser.follow(agreed)
    set_date(driver, "seance-jour", day.isoformat())
    choose(driver, "seance-moment", "am")
    click(driver, "Proposer cette demi-journée")
    accessible(driver)
    assert "à confirmer" in text(driver)
    [invited] = await mails.take(BORROWER, INVITED)
    browser.follow(invited)
    assert "proposée, à confirmer par la collectivité qui prête" in text(driver)

    # Crest must confirm it: its élue and its RH are each asked by mail. The élue
    # confirms from hers; the RH's then finds it done.
    [agreed] = await mails.take(LENDER, AGREED)
    browser.follow(agreed)
    assert "convenu" in text(driver)
    [confirm] = await mails.take(LENDER, ASKED)
    browser.follow(confirm)
    assert "Vous êtes invité·e à confirmer une demi-journée proposée" in text(driver)
    assert driver.find_elements("xpath", link("Voir les demi-journées à confirmer"))
    click(driver, "Confirmer la demi-journée")
    accessible(driver)
    assert "confirmée" in text(driver)
    [confirm] = await mails.take(HR, ASKED)
    browser.follow(confirm)
    assert "Cette action n'est plus à faire avec votre rôle actuel : rien n'a changé." in text(
        driver
    )
    [invited] = await mails.take(AGENT, INVITED)
    browser.follow(invited)
    assert "confirmée" in text(driver)
    press(driver, link("La mise à disposition"))
    accessible(driver)

    # The half-day takes place; the borrower declares it and ends the loan with its
    # feedback (no mail asks for this: it is his to do when the work is done).
    site.clock.advance(timedelta(days=30))
    browser.sign_in(BORROWER)
    open_the_loan(driver)
    click(driver, "Déclarer la demi-journée effectuée")
    accessible(driver)
    press(driver, link("Terminer le prêt et donner notre avis"))
    for question, answer in (("useful", "5"), ("need_met", "4"), ("autonomy", "4")):
        tick(driver, f"//input[@name='{question}' and @value='{answer}']")
    tick(driver, "//input[@name='again' and @value='oui']")
    click(driver, "Terminer le prêt et envoyer notre avis")
    accessible(driver)
    assert "Le prêt est terminé : merci pour votre avis." in text(driver)

    # The end is told to the four; its link leads each to their questionnaire.
    [ended] = await mails.take(BORROWER, ENDED)
    browser.follow(ended)
    assert "L'avis de votre collectivité est déjà donné : merci." in text(driver)
    [ended] = await mails.take(AGENT, ENDED)
    browser.follow(ended)
    for question in ("interest", "recognition", "conditions"):
        tick(driver, f"//input[@name='{question}' and @value='4']")
    tick(driver, "//input[@name='again' and @value='oui']")
    click(driver, "Envoyer mon avis")
    accessible(driver)
    assert "Merci : votre avis est enregistré." in text(driver)
    press(driver, link("L'attestation des demi-journées effectuées (page web)"))
    # Lending's document, shown as it is (sandboxed, not a portal page: no axe-core here).
    assert "1 demi-journée" in driver.find_element("tag name", "body").text
    driver.back()
    [ended] = await mails.take(LENDER, ENDED)
    browser.follow(ended)
    for question in ("burden", "relations", "framework"):
        tick(driver, f"//input[@name='{question}' and @value='4']")
    tick(driver, "//input[@name='again' and @value='oui']")
    click(driver, "Envoyer mon avis")
    accessible(driver)
    assert "Merci : votre avis est enregistré." in text(driver)
    [ended] = await mails.take(HR, ENDED)
    browser.follow(ended)
    assert "L'avis de votre collectivité est déjà donné : merci." in text(driver)

    # Nothing else was sent, and every mail sent was followed.
    await all_sent(notifications_db)
    caught = Counter((str(m["To"]), kind(m)) for m in smtp.messages())
    assert caught == {
        (LENDER, ASKED): 2,  # the approval, the half-day to confirm
        (HR, ASKED): 2,
        (AGENT, ANSWER): 1,
        **{(person, AGREED): 1 for person in PEOPLE},
        (BORROWER, INVITED): 1,
        (AGENT, INVITED): 1,
        **{(person, ENDED): 1 for person in PEOPLE},
    }
    assert mails.taken == {m["Message-ID"] for m in smtp.messages()}
    assert not driver.find_elements("xpath", button("Envoyer mon avis"))
