"""The long journey of an élue through the « à la carte » cycle, in real headless Chromium
with axe-core on every page: the quiz, its next step to a real offer, the enrolment; the
trainer's attendance, debrief and rebond; the rebond's e-mail (SMTP capture) whose link
she follows to take it; the 6-month questionnaire, due on a moved clock, whose e-mail
she follows to answer it.

Portal, diagnosis, training and notifications run on real ports over one broker.
Training and notifications share a hand-moved clock (the services' clock setting in
dev and test); the portal keeps real time, so its tokens stay valid.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from browser import Open, accessible, button, click, link, press, serving
from my_space_support import ELUE, ELUE_ID, TRAINER, UUID, Site, quiz_answers, register_body
from test_portal_my_space_browser import answer_everything
from test_portal_training import offer_form, publish

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_common.vocabulary.clock import ManualClock
from deformations_common.vocabulary.french import PARIS
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    free_port,
    isolated_settings,
    wait_until,
)
from deformations_diagnosis.app import definition as diagnosis_definition
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_notifications.app import definition as notifications_definition
from deformations_notifications.settings import NotificationsSettings
from deformations_portal.app import definition as portal_definition
from deformations_portal.service import tokens
from deformations_portal.settings import PortalSettings
from deformations_training.app import definition as training_definition
from deformations_training.settings import TrainingSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# Seed 2 of the synthetic quiz: next step « groupe d'entraide », theme « energie », 2 h 30
# a month: the two-hour evening on energy fits it.
SEED = 2
MODULE = "Sobriété énergétique des bâtiments communaux"
REBOND = "Visite d'une chaufferie bois"
DEBRIEF = "Très à l'aise avec le bilan énergétique des écoles."


def at_ten(day: datetime) -> datetime:
    """10:00 in Paris that day: mails are not held for the night."""
    return datetime.combine(day.astimezone(PARIS).date(), time(10), tzinfo=PARIS)


@pytest.fixture
async def smtp() -> AsyncIterator[MailCatcher]:
    async with MailCatcher.running() as catcher:
        yield catcher


@pytest.fixture
async def journey_site(
    infra: Infra, database_url: str, namespace: str, smtp: MailCatcher
) -> AsyncIterator[tuple[Site, ManualClock]]:
    names = ("portal", "diagnosis", "training", "notifications")
    ports = {name: free_port() for name in names}
    url = f"http://127.0.0.1:{ports['portal']}"
    portal = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        http_port=ports["portal"],
        public_url=url,
        app_url=url,
        smtp_port=1,
        environment=Environment.DEV,
        service_urls={n: f"http://127.0.0.1:{p}" for n, p in ports.items() if n != "portal"},
    )

    def verifying(cls: type[Any], name: str, **extra: Any) -> Any:
        return isolated_settings(
            cls,
            infra,
            database_url,
            namespace,
            name,
            http_port=ports[name],
            jwt_jwks_url=f"{url}/.well-known/jwks.json",
            jwt_issuer=portal.issuer,
            jwt_audience=name,
            **extra,
        )

    settings = {
        "portal": portal,
        "diagnosis": verifying(DiagnosisSettings, "diagnosis"),
        "training": verifying(TrainingSettings, "training", jobs_interval_s=0.2),
        "notifications": verifying(
            NotificationsSettings,
            "notifications",
            smtp_port=smtp.port,
            sender_poll_interval_s=0.05,
            app_url=url,
        ),
    }
    clock = ManualClock(at_ten(datetime.now(UTC) + timedelta(days=1)))
    apps = {
        "portal": create_app(portal_definition(portal)),
        "diagnosis": create_app(diagnosis_definition(settings["diagnosis"])),
        "training": create_app(training_definition(settings["training"], clock=clock)),
        "notifications": create_app(
            notifications_definition(settings["notifications"], clock=clock)
        ),
    }
    async with AsyncExitStack() as stack:
        for name, app in apps.items():
            await stack.enter_async_context(serving(app, ports[name], name))
        await Portal(portal).run(demo.create_accounts)
        site = Site(url, portal, apps)
        try:
            yield site, clock
        finally:
            for name, app in apps.items():
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                await delete_broker_objects(infra.amqp_url, settings[name], subscriptions)


async def her_address_is_known(site: Site) -> None:
    """Her e-mail and consent, as « Mes préférences » records them in notifications."""
    issuer = await Portal(site.settings).run(tokens.load_issuer)
    token = issuer.issue(
        ELUE_ID, None, "notifications", datetime.now(UTC), email=ELUE, email_verified=True
    )
    async with httpx.AsyncClient(base_url=site.settings.service_urls["notifications"]) as api:
        answer = await api.put(
            "/v1/me/recipient",
            json={"email": ELUE, "consent": True},
            headers={"authorization": f"Bearer {token}"},
        )
        assert answer.status_code in (200, 201), answer.text


async def mail_about(smtp: MailCatcher, subject: str) -> EmailMessage:
    def found() -> EmailMessage | None:
        return next((m for m in smtp.messages() if str(m["Subject"]).startswith(subject)), None)

    await wait_until(lambda: found() is not None, timeout_s=30, what=f"the mail « {subject} »")
    mail = found()
    assert mail is not None and mail["To"] == ELUE
    return mail


def link_in(mail: EmailMessage, path: str) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    [found] = set(re.findall(rf"https?://\S+{path}", body.get_content()))
    return found


async def test_quiz_offer_enrolment_rebond_mail_and_six_month_questionnaire(
    journey_site: tuple[Site, ManualClock], smtp: MailCatcher, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    site, clock = journey_site
    await register_body(site)
    await her_address_is_known(site)
    day = clock().astimezone(PARIS) + timedelta(days=7)
    async with site.person(TRAINER) as http:
        common = {"capacite": "10", "palier1_taille": "", "duree": "2", "seance1_fin": "20:00"}
        for title, when in ((MODULE, day), (REBOND, day + timedelta(days=30))):
            published = await publish(http, offer_form(when, title=title, **common))
            assert published.status_code == 303, published.text
        rebond_offer = re.findall(UUID, published.headers["location"])[0]

    # Before signing in: the offers of a next step are for anyone to see.
    elue = browsers()
    elue.get(f"{site.url}/formations/prochain-pas?pas=cafe_formation&theme=energie&temps=150")
    assert MODULE in elue.page_source and "Connectez-vous" in elue.page_source
    accessible(elue)

    # The quiz, its next step, an offer that fits, the enrolment.
    elue.get(f"{site.url}/connexion/dev")
    click(elue, f"Agir en tant que {ELUE}")
    elue.get(f"{site.url}/espace")
    press(elue, link("Faire mon autodiagnostic"))
    answer_everything(elue, quiz_answers(SEED))
    press(elue, button("Voir mon résultat"))
    assert "Des formations pour ce prochain pas" in elue.page_source
    accessible(elue)
    press(elue, link(MODULE))
    accessible(elue)
    press(elue, button("M'inscrire à cette formation"))
    assert "Votre inscription est confirmée" in elue.page_source
    accessible(elue)

    # The morning after the evening: attendance, debrief and rebond.
    clock.set(at_ten(day + timedelta(days=1)))
    trainer = browsers()
    trainer.get(f"{site.url}/connexion/dev")
    click(trainer, f"Agir en tant que {TRAINER}")
    trainer.get(f"{site.url}/organisme/formations")
    press(trainer, link(MODULE))
    accessible(trainer)
    press(trainer, button("Présent·e"))
    assert "La présence est enregistrée." in trainer.page_source
    trainer.find_element(By.XPATH, "//summary").click()
    trainer.find_element(By.NAME, "debrief").send_keys(DEBRIEF)
    Select(trainer.find_element(By.NAME, "suite")).select_by_value(rebond_offer)
    trainer.find_element(By.NAME, "proposal").send_keys("Voir une chaufferie bois qui tourne.")
    press(trainer, button("Envoyer le rebond"))
    assert "Le débrief et le rebond sont envoyés" in trainer.page_source
    accessible(trainer)

    # The rebond's e-mail: she follows its link and takes it.
    mail = await mail_about(smtp, "Et après ?")
    elue.get(link_in(mail, "/formations/parcours"))
    assert DEBRIEF in elue.page_source
    accessible(elue)
    press(elue, button("Je prends ce rebond"))
    assert "ajouté à votre parcours" in elue.page_source
    accessible(elue)
    elue.get(f"{site.url}/formations/parcours")
    assert REBOND in elue.page_source

    # Six months later the impact questionnaire falls due; its e-mail leads to it.
    clock.set(at_ten(day + timedelta(days=190)))
    mail = await mail_about(smtp, "Impact à 6 mois")
    elue.get(link_in(mail, f"/formations/questionnaires/{UUID}"))
    assert "Impact à 6 mois" in elue.page_source
    accessible(elue)
    for question in ("put_into_practice", "confidence", "shared_with_team"):
        choice = elue.find_element(By.CSS_SELECTOR, f'input[name="{question}"][value="4"]')
        elue.execute_script("arguments[0].scrollIntoView({block: 'center'})", choice)
        choice.click()
    elue.find_element(By.ID, "actions_started").send_keys("2")
    press(elue, button("Envoyer mes réponses"))
    assert "Vos réponses sont enregistrées" in elue.page_source
    accessible(elue)
    elue.get(f"{site.url}/formations/parcours")
    assert "Impact à 6 mois" not in elue.page_source
