"""The public pages of both demo platforms in a real headless Chromium.

axe-core on every public page (0 serious, 0 critical), the platform's colours applied
through the CSS custom properties, no sideways scrolling on a phone, and keyboard use:
the skip link comes first and leads to the content, the focus is always visible.
axe-core's figures per page are the ones the accessibility statement publishes
(``accessibility_report.json``); ``WRITE_ACCESSIBILITY_REPORT=1`` rewrites that report when
the pages change.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from browser import Open, accessible, serving

from deformations_common.service import create_app
from deformations_devtools.portal.platforms import AUVERGNE_RHONE_ALPES, ILE_DE_FRANCE
from deformations_devtools.portal.support import axe_summary, free_port
from deformations_devtools.testing import Infra, isolated_settings, wait_until
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings
from deformations_portal.web.public import AUTOMATED_REPORT

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PAGES = {
    "/": "Accueil",
    "/thematiques": "Les 11 thématiques",
    "/connexion": "Se connecter",
    "/accessibilite": "Déclaration d'accessibilité",
    "/mentions-legales": "Mentions légales",
    "/donnees-personnelles": "Données personnelles",
    "/plan-du-site": "Plan du site",
    "/aide": "Aide",
    "/contact": "Contact",
}


def check_report(measured: dict[str, dict[str, Any]]) -> None:
    """The committed report holds the figures just measured (or is rewritten with them)."""
    committed = json.loads(AUTOMATED_REPORT.read_text(encoding="utf-8"))
    [version] = {summary["version"] for summary in measured.values()}
    pages = [
        {
            "path": path,
            "title": PAGES[path],
            "violations": summary["violations"],
            "passes": summary["passes"],
        }
        for path, summary in measured.items()
    ]
    if committed["version"] == version and committed["pages"] == pages:
        return
    if os.environ.get("WRITE_ACCESSIBILITY_REPORT") != "1":
        pytest.fail(
            "the accessibility statement's figures are out of date: rerun this test with "
            "WRITE_ACCESSIBILITY_REPORT=1 and commit accessibility_report.json"
        )
    report = {
        "tool": "axe-core",
        "version": version,
        "checked_on": datetime.now(UTC).date().isoformat(),
        "pages": pages,
    }
    AUTOMATED_REPORT.write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, 1)"


def active(driver: Any) -> Any:
    return driver.switch_to.active_element


def focus_ring(driver: Any) -> tuple[str, float]:
    style, width = driver.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return [s.outlineStyle, parseFloat(s.outlineWidth)];"
    )
    return style, width


@pytest.mark.parametrize(
    ("platform", "brand", "primary"),
    [
        (AUVERGNE_RHONE_ALPES, "Déformations Auvergne-Rhône-Alpes", "#1d4f91"),
        (ILE_DE_FRANCE, "Déformations Île-de-France", "#6b2d7b"),
    ],
)
async def test_every_public_page_is_accessible_on_both_platforms(
    infra: Infra,
    database_url: str,
    namespace: str,
    browsers: Open,
    platform: Path,
    brand: str,
    primary: str,
) -> None:
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        smtp_port=1,
        platform_file=str(platform),
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser = browsers()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    measured: dict[str, dict[str, Any]] = {}
    async with serving(create_app(definition(settings)), port, "portal"):
        for path in PAGES:
            browser.get(url + path)
            assert browser.find_element(By.CSS_SELECTOR, "a.marque").text == brand
            header = browser.find_element(By.CSS_SELECTOR, "header.site")
            assert header.value_of_css_property("background-color") == rgb(primary), path
            footer = browser.find_element(By.CSS_SELECTOR, "footer.site nav")
            assert len(footer.find_elements(By.TAG_NAME, "a")) == 6, path
            accessible(browser)
            measured[path] = axe_summary(browser)

        # Keyboard: the skip link comes first, shows itself and leads to the content.
        browser.get(url + "/aide")
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        skip = active(browser)
        assert skip.text == "Aller au contenu" and skip.get_attribute("href").endswith("#contenu")
        assert skip.rect["x"] >= 0 and skip.is_displayed()
        assert focus_ring(browser)[0] != "none"
        skip.send_keys(Keys.ENTER)
        await wait_until(
            lambda: active(browser).get_attribute("id") == "contenu", what="focus on the content"
        )
        # Then every link reached with Tab shows a focus ring, down to the footer's.
        reached: list[str] = []
        for _ in range(200):
            active(browser).send_keys(Keys.TAB)
            element = active(browser)
            if element.tag_name not in ("a", "button"):
                continue
            style, width = focus_ring(browser)
            assert style != "none" and width >= 2, element.text
            reached.append(element.text)
            if element.text == "Contact" and element.find_elements(By.XPATH, "ancestor::footer"):
                break
        assert "Mentions légales" in reached and reached[-1] == "Contact"
    # The platform changes colours and names only: both give the published figures.
    check_report(measured)
