"""Moderation in a real browser on a phone: the élue of Crest posts an appel à pairs, the
élu of Aouste sees it; an operator hides it with a reason (a reason is required, said
beside its field); the call leaves the élu's list, the journal records it, and the élue is
told by e-mail (real notifications service, real broker, an SMTP catcher) whose link
opens her calls, where hers is marked hidden with the reason. axe-core on every page."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from browser import PHONE, Open, accessible, click, fill, link, press
from matching_site import ELU, ELUE, OPERATOR, Site, person_of, post_call, site

from deformations_common.auth import issue_dev_token
from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.testing import Infra, isolated_settings, running, wait_until
from deformations_notifications.app import definition as notifications_definition
from deformations_notifications.settings import NotificationsSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

__all__ = ["site"]

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


async def test_an_operator_hides_an_appel_a_pairs_and_its_author_is_told(
    site: Site, infra: Infra, database_url: str, namespace: str, browsers: Open
) -> None:
    async with MailCatcher.running() as smtp:
        settings = isolated_settings(
            NotificationsSettings,
            infra,
            database_url,
            namespace,
            "notifications",
            smtp_port=smtp.port,
            app_url=site.url,
            sender_poll_interval_s=0.05,
        )
        app = create_app(notifications_definition(settings, clock=ManualClock(MORNING)))
        async with running(app) as notifications:
            elue = str(person_of(ELUE))
            token = issue_dev_token(settings, elue)
            registered = await notifications.put(
                "/v1/me/recipient",
                json={"email": ELUE, "consent": True},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert registered.status_code in (200, 201), registered.text
            async with site.person(ELUE) as author:
                posted = await post_call(author, probleme=RUDE)
                assert posted.status_code == 303, posted.text

            driver = browsers(window=PHONE)
            sign_in(driver, site.url, ELU)
            to_calls(driver)
            assert RUDE in driver.page_source
            driver.delete_all_cookies()

            sign_in(driver, site.url, OPERATOR)
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
            press(driver, link("Journal des décisions"))
            accessible(driver)
            assert "publication masquée" in driver.page_source
            assert f"Motif : {REASON}" in driver.page_source
            driver.delete_all_cookies()

            sign_in(driver, site.url, ELU)
            to_calls(driver)
            assert RUDE not in driver.page_source
            driver.delete_all_cookies()

            await wait_until(lambda: bool(smtp.to(ELUE)), what="the mail to the élue")
            [mail] = smtp.to(ELUE)
            text = mail.get_body(("plain",))
            assert text is not None
            body = text.get_content()
            assert REASON in body and "votre appel à pairs" in body
            found = re.search(rf"{re.escape(site.url)}/\S+", body)
            assert found, body
            sign_in(driver, site.url, ELUE)
            driver.get(found.group(0))
            accessible(driver)
            assert "Masqué par l'équipe de la plateforme" in driver.page_source
            assert RUDE in driver.page_source and REASON in driver.page_source
