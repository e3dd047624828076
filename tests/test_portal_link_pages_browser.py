"""The pages the e-mails link to, in real headless Chromium, on a phone and on a desktop.

Signed out, a mailed link goes through sign-in (the dev accounts of make run) and back;
each page is French, titled, axe-core clean (0 serious/critical) and does not scroll
sideways; approving a loan is a button that posts. The services answer at the HTTP
boundary (``deformations_devtools.portal.fakes``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from browser import DESKTOP, PHONE, Open, accessible, click, serving
from test_portal_lending_browser import tick

from deformations_common.action_links import (
    DEV_LINK_SIGNING_KEY,
    LoanAction,
    action_claim,
    make_action_token,
)
from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.people import person_id
from deformations_devtools.portal import demo
from deformations_devtools.portal.fakes import FakeServices
from deformations_devtools.portal.support import Portal, free_port
from deformations_devtools.testing import Infra, isolated_settings
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

WINDOWS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        smtp_port=1,
        environment=Environment.DEV,
        app_url=url,
        http_port=port,
    )
    fakes = FakeServices()
    app = create_app(definition(settings))
    async with serving(app, port):
        app.state.clients._http = httpx.AsyncClient(transport=fakes.transport())
        await Portal(settings).run(demo.create_accounts)
        yield url, fakes


@pytest.fixture(params=sorted(WINDOWS))
def driver(request: pytest.FixtureRequest, browsers: Open) -> Any:
    return browsers(WINDOWS[request.param])


async def test_the_mailed_pages_open_signed_in_and_are_accessible(site: Any, driver: Any) -> None:
    url, fakes = site
    loan = f"{url}/prets/{fakes.loan_id}"
    driver.get(loan)
    assert driver.current_url == f"{url}/connexion"
    driver.get(f"{url}/connexion/dev")
    accessible(driver)
    click(driver, "Agir en tant que rh@crest.demo.deformations.fr")
    assert driver.current_url == loan
    accessible(driver)
    assert "Aouste-sur-Sye" in driver.page_source
    assert {method for method, *_ in fakes.calls} == {"GET"}
    tick(driver, "//select[@id='rh-agent']/option[contains(., 'agent@crest')]")
    click(driver, "Valider et désigner l'agent")
    assert driver.current_url == f"{loan}?fait=accord"
    assert [c[1] for c in fakes.calls if c[0] == "POST"] == [
        f"/v1/loans/{fakes.loan_id}/approvals/hr"
    ]
    for path in (
        f"/prets/{fakes.loan_id}/avis",
        f"/seances/{fakes.session_id}",
        f"/propositions/{fakes.proposal_id}",
        f"/campagnes/{fakes.campaign_id}/resultats",
        "/preferences",
    ):
        driver.get(url + path)
        assert driver.current_url == url + path
        accessible(driver)


async def test_a_signed_approval_link_readies_the_approval_and_an_old_one_is_refused(
    site: Any, driver: Any
) -> None:
    url, fakes = site

    def link(issued: datetime) -> str:
        claim = action_claim(fakes.loan_id, LoanAction.APPROVE, person_id("rh-crest"), issued)
        token = make_action_token(claim, DEV_LINK_SIGNING_KEY)
        return f"{url}/prets/{fakes.loan_id}?action=accord&jeton={token}"

    fresh = link(datetime.now(UTC))
    driver.get(fresh)
    assert driver.current_url == f"{url}/connexion"
    driver.get(f"{url}/connexion/dev")
    click(driver, "Agir en tant que rh@crest.demo.deformations.fr")
    assert driver.current_url == fresh
    accessible(driver)
    assert "Vous êtes invité·e à approuver ce prêt" in driver.page_source
    driver.get(link(datetime.now(UTC) - timedelta(days=8)))
    accessible(driver)
    assert "Ce lien a expiré" in driver.page_source
    assert "Vous êtes invité·e" not in driver.page_source
    assert {method for method, *_ in fakes.calls} == {"GET"}
    driver.get(fresh)
    tick(driver, "//select[@id='rh-agent']/option[contains(., 'agent@crest')]")
    click(driver, "Valider et désigner l'agent")
    assert driver.current_url == f"{url}/prets/{fakes.loan_id}?fait=accord"
    assert [c[1] for c in fakes.calls if c[0] == "POST"] == [
        f"/v1/loans/{fakes.loan_id}/approvals/hr"
    ]
