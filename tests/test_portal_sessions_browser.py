"""Ending sessions in real headless Chromium on a phone: « Me déconnecter de tous les
appareils » signs out every device; a référent withdraws an élue's last membership and
her open page no longer acts for anyone. Each page is axe-core clean."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from browser import PHONE, accessible, click, serving

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, free_port, isolated_settings
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ELUE, RH = demo.ACCOUNTS[0].email, demo.ACCOUNTS[2].email


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        http_port=port,
        public_url=url,
        app_url=url,
        smtp_port=1,
        environment=Environment.DEV,
    )
    async with serving(create_app(definition(settings)), port, "portal"):
        await Portal(settings).run(demo.create_accounts)
        yield url


def sign_in(driver: Any, url: str, email: str) -> None:
    driver.get(f"{url}/connexion/dev")
    click(driver, f"Agir en tant que {email}")
    assert driver.current_url == f"{url}/espace"


async def test_signing_out_of_every_device_from_the_phone(site: str, browsers: Any) -> None:
    phone, laptop = browsers(window=PHONE), browsers(window=PHONE)
    for driver in (phone, laptop):
        sign_in(driver, site, ELUE)
    phone.get(f"{site}/compte")
    accessible(phone)
    click(phone, "Me déconnecter de tous les appareils")
    assert phone.current_url == f"{site}/connexion?notice=partout"
    assert "Vous êtes déconnecté de tous vos appareils." in phone.page_source
    accessible(phone)
    laptop.get(f"{site}/compte")
    assert laptop.current_url == f"{site}/connexion"


async def test_a_referent_withdraws_the_last_membership_of_an_elue(
    site: str, browsers: Any
) -> None:
    referent, elue = browsers(window=PHONE), browsers(window=PHONE)
    sign_in(referent, site, RH)
    sign_in(elue, site, ELUE)
    referent.get(f"{site}/referent")
    accessible(referent)
    click(referent, f"Retirer l'adhésion de {ELUE}")
    assert referent.current_url == f"{site}/referent?notice=retrait"
    assert "L'adhésion est retirée." in referent.page_source
    assert f"Retirer l'adhésion de {ELUE}" not in referent.page_source
    accessible(referent)
    elue.get(f"{site}/espace")
    assert elue.current_url == f"{site}/connexion"
