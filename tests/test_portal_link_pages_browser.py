"""The pages the e-mails link to, in real headless Chromium, on a phone and on a desktop.

Signed out, a mailed link goes through sign-in (the dev accounts of make run) and back;
each page is French, titled, axe-core clean (0 serious/critical) and does not scroll
sideways; approving a loan is a button that posts. The services answer at the HTTP
boundary (``deformations_devtools.portal.fakes``)."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.portal import demo
from deformations_devtools.portal.fakes import FakeServices
from deformations_devtools.portal.support import Portal, axe_violations, free_port
from deformations_devtools.testing import Infra, isolated_settings, wait_until
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-first-run",
)
WINDOWS = {"phone": "390,844", "desktop": "1280,900"}

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium", allow_module_level=True)
if shutil.which("node") is None or shutil.which("npm") is None:
    pytest.skip("no node/npm for axe-core: apt-get install -y nodejs npm", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@asynccontextmanager
async def serving(app: FastAPI, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, name="uvicorn-portal", daemon=True)
    thread.start()
    try:
        await wait_until(
            lambda: server.started or not thread.is_alive(), timeout_s=90, what="portal serving"
        )
        assert server.started, "the portal did not start"
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)


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
def driver(request: pytest.FixtureRequest) -> Iterator[Any]:
    folder = tempfile.TemporaryDirectory(prefix="chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        *FLAGS,
        f"--window-size={WINDOWS[request.param]}",
        f"--user-data-dir={folder.name}",
    ):
        options.add_argument(flag)
    opened = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    )
    opened.set_page_load_timeout(30)
    yield opened
    opened.quit()
    folder.cleanup()


def accessible(driver: Any) -> None:
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert driver.title.endswith("— Déformations")
    assert axe_violations(driver) == [], driver.current_url
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, f"{driver.current_url} scrolls sideways"


def click(driver: Any, text: str) -> None:
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, f'//button[normalize-space()="{text}"]').click()
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(page))


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
    click(driver, "Valider au titre des ressources humaines")
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
