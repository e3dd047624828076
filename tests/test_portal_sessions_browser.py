"""Ending sessions in real headless Chromium on a phone: « Me déconnecter de tous les
appareils » signs out every device; a référent withdraws an élue's last membership and
her open page no longer acts for anyone. And an address given for notifications is
used once its link is followed. Each page is axe-core clean."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from browser import PHONE, accessible, click, fill, serving

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.portal import demo
from deformations_devtools.portal.fakes import FakeServices
from deformations_devtools.portal.support import Inbox, Portal, smtp_catcher
from deformations_devtools.testing import Infra, free_port, isolated_settings
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ELUE, RH = demo.ACCOUNTS[0].email, demo.ACCOUNTS[2].email
# How her référent sees her: by the name the demo gives her.
ELUE_NAME = demo.ACCOUNTS[0].person_name.full


@dataclass
class Site:
    url: str
    inbox: Inbox
    notifications: FakeServices


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with smtp_catcher() as (inbox, smtp_port):
        settings = isolated_settings(
            PortalSettings,
            infra,
            database_url,
            namespace,
            "portal",
            http_port=port,
            public_url=url,
            app_url=url,
            smtp_port=smtp_port,
            environment=Environment.DEV,
        )
        app = create_app(definition(settings))
        async with serving(app, port, "portal"):
            # Notifications, faked at the HTTP boundary: the address it is given is kept.
            fakes = FakeServices()
            app.state.clients._http = httpx.AsyncClient(transport=fakes.transport())
            await Portal(settings).run(demo.create_accounts)
            yield Site(url, inbox, fakes)


def sign_in(driver: Any, url: str, email: str) -> None:
    driver.get(f"{url}/connexion/dev")
    click(driver, f"Agir en tant que {email}")
    assert driver.current_url == f"{url}/espace"


async def test_signing_out_of_every_device_from_the_phone(site: Site, browsers: Any) -> None:
    url = site.url
    phone, laptop = browsers(window=PHONE), browsers(window=PHONE)
    for driver in (phone, laptop):
        sign_in(driver, url, ELUE)
    phone.get(f"{url}/compte")
    accessible(phone)
    click(phone, "Me déconnecter de tous les appareils")
    assert phone.current_url == f"{url}/connexion?notice=partout"
    assert "Vous êtes déconnecté de tous vos appareils." in phone.page_source
    accessible(phone)
    laptop.get(f"{url}/compte")
    assert laptop.current_url == f"{url}/connexion"


async def test_a_referent_withdraws_the_last_membership_of_an_elue(
    site: Site, browsers: Any
) -> None:
    url = site.url
    referent, elue = browsers(window=PHONE), browsers(window=PHONE)
    sign_in(referent, url, RH)
    sign_in(elue, url, ELUE)
    referent.get(f"{url}/referent")
    accessible(referent)
    click(referent, f"Retirer l'adhésion de {ELUE_NAME}")
    assert referent.current_url == f"{url}/referent?notice=retrait"
    assert "L'adhésion est retirée." in referent.page_source
    assert f"Retirer l'adhésion de {ELUE_NAME}" not in referent.page_source
    accessible(referent)
    elue.get(f"{url}/espace")
    assert elue.current_url == f"{url}/connexion"


async def test_an_address_for_notifications_is_used_once_confirmed(
    site: Site, browsers: Any
) -> None:
    url, new = site.url, "elue.perso@example.org"
    phone = browsers(window=PHONE)
    sign_in(phone, url, ELUE)
    phone.get(f"{url}/preferences")
    accessible(phone)
    fill(phone, "email", new)
    phone.find_element("id", "consent").click()
    click(phone, "Enregistrer mes préférences")
    assert phone.current_url == f"{url}/preferences?notice=verifier"
    assert "Un lien vient d'être envoyé à la nouvelle adresse" in phone.page_source
    accessible(phone)
    # Until the link is followed, her mails go to the address she signs in with.
    assert site.notifications.recipient is not None
    assert site.notifications.recipient["email"] == ELUE
    found = re.search(
        r"https?://\S+/preferences/adresse\?jeton=\S+", site.inbox.to(new)[-1].get_content()
    )
    assert found
    phone.get(found.group(0))
    accessible(phone)
    click(phone, "Confirmer cette adresse")
    assert phone.current_url == f"{url}/preferences?notice=adresse-confirmee"
    assert "Votre adresse est confirmée" in phone.page_source
    accessible(phone)
    assert site.notifications.recipient is not None
    assert site.notifications.recipient["email"] == new


async def test_reminders_of_sessions_are_turned_off_in_the_preferences(
    site: Site, browsers: Any
) -> None:
    url = site.url
    phone = browsers(window=PHONE)
    sign_in(phone, url, ELUE)
    phone.get(f"{url}/preferences")
    accessible(phone)
    assert phone.find_element("id", "rappels").is_selected()  # on unless turned off
    fill(phone, "email", ELUE)
    phone.find_element("id", "rappels").click()
    phone.find_element("id", "consent").click()
    click(phone, "Enregistrer mes préférences")
    assert phone.current_url == f"{url}/preferences?notice=enregistre"
    assert site.notifications.recipient is not None
    assert site.notifications.recipient["reminders"] is False
    assert not phone.find_element("id", "rappels").is_selected()
    accessible(phone)
