"""A person completes the quiz in a real headless Chromium on a phone-sized screen.

Debian's ``chromium`` and ``chromium-driver`` are driven by Selenium; the diagnosis app runs
with uvicorn on a free local port, on the real broker and database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from browser import PHONE, Open, serving

from deformations_common.auth import issue_dev_token
from deformations_common.service import create_app
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    free_port,
    isolated_settings,
)
from deformations_diagnosis.app import definition
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.settings import DiagnosisSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

webdriver = pytest.importorskip(
    "selenium.webdriver",
    reason="selenium is missing: it is deformations-diagnosis's `browser` extra",
)
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@dataclass(frozen=True)
class Served:
    url: str
    settings: DiagnosisSettings


@pytest.fixture
async def served(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Served]:
    port = free_port()
    settings = isolated_settings(
        DiagnosisSettings, infra, database_url, namespace, "diagnosis", http_port=port
    )
    app = create_app(definition(settings))
    try:
        async with serving(app, port, "diagnosis"):
            yield Served(f"http://127.0.0.1:{port}", settings)
    finally:
        subscriptions = app.state.definition.handlers.subscriptions
        await delete_broker_objects(infra.amqp_url, settings, subscriptions)


@pytest.fixture
def browser(browsers: Open) -> Any:
    return browsers()


def left(element: Any) -> Callable[[Any], bool]:
    """Whether the page of ``element`` is gone (the browser moved to the next document)."""

    def gone(_: Any) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # stale, or its node no longer in any document
            return True
        return False

    return gone


def answer_every_page(browser: Any, *, share: bool | None = None) -> None:
    """Answer each page as a person would: taps on labels and the keyboard, then « Suivant »."""
    q = load_questionnaire()
    for index, section in enumerate(q.sections):
        errors = browser.find_elements(By.CSS_SELECTOR, ".erreurs")
        assert not errors, errors[0].text
        assert f"Étape {index + 1} sur {len(q.sections)}" in browser.page_source
        for position, item in enumerate(section.items):
            fieldset = browser.find_element(By.ID, f"q-{item}")
            choice = fieldset.find_elements(By.CSS_SELECTOR, "input")[position % 2]
            if position % 2:
                choice.find_element(By.XPATH, "..").click()  # a tap on the label
            else:
                choice.send_keys(Keys.SPACE)  # the keyboard: focus and space
            assert choice.is_selected()
        # The page never scrolls sideways on a phone.
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0
        if share is not None and index == len(q.sections) - 1:
            consent = browser.find_element(By.NAME, "partage")
            if share:
                consent.find_element(By.XPATH, "..").click()
            assert consent.is_selected() is share
        button = browser.find_element(By.CSS_SELECTOR, 'button[name="nav"][value="next"]')
        button.click()
        # The next page is a new document: wait for this one to go (no sleeping).
        WebDriverWait(browser, 15).until(left(button))


async def test_a_person_completes_the_quiz_on_a_phone_and_sees_family_and_radar(
    served: Served, browser: Any
) -> None:
    q = load_questionnaire()
    browser.get(f"{served.url}/quiz")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    answer_every_page(browser)
    assert "/resultats/" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "h1").text == "Votre résultat"
    family = browser.find_element(By.CSS_SELECTOR, ".famille").text
    assert family in {f.name for f in q.families}
    radar = browser.find_element(By.CSS_SELECTOR, "svg.radar")
    assert radar.is_displayed()
    assert 0 < radar.size["width"] <= int(PHONE.split(",")[0])
    assert radar.find_elements(By.TAG_NAME, "polygon")


async def test_an_elu_answers_a_campaign_link_shares_and_reaches_the_collective_page(
    served: Served, browser: Any
) -> None:
    token = issue_dev_token(served.settings, "formatrice", roles=["trainer"])
    async with httpx.AsyncClient(base_url=served.url) as http:
        opened = await http.post(
            "/v1/campaigns",
            json={
                "team_kind": "intercommunality",
                "collectivite_siren": "242600534",  # the CC du Diois, as the demo's
                "signed_in_only": False,
            },
            headers={"Authorization": f"Bearer {token}"},
        )
    assert opened.status_code == 201, opened.text
    browser.get(served.url + opened.json()["quiz_page"])
    Select(browser.find_element(By.ID, "commune")).select_by_visible_text("Menglon")
    start = browser.find_element(By.CSS_SELECTOR, "button[type=submit]")
    start.click()
    WebDriverWait(browser, 15).until(left(start))
    answer_every_page(browser, share=True)
    assert "/resultats/" in browser.current_url
    assert (
        "CC du Diois"
        in browser.find_element(By.ID, "equipe-titre").find_element(By.XPATH, "..").text
    )
    browser.find_element(By.LINK_TEXT, "Voir le résultat collectif").click()
    WebDriverWait(browser, 15).until(expected_conditions.url_contains("/collectif"))
    assert "Il en manque encore 2" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
