"""In Chromium on a phone: the élue signs in, takes the quiz from « Mon espace », finds it
in « Mes diagnostics », opens the result, opens « Mon agenda » and downloads its .ics file;
axe-core on every page."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path

import icalendar
import pytest
from browser import Open, accessible, button, click, link, press
from my_space_support import ELUE, Site, my_space_site, quiz_answers, seed_agenda

from deformations_devtools.testing import Infra, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    async with my_space_site(infra, database_url, namespace) as site:
        yield site


def answer_everything(driver: object, answers: dict[str, list[str]]) -> None:
    from selenium.webdriver.common.by import By

    for item, options in answers.items():
        for option in options:
            box = driver.find_element(  # type: ignore[attr-defined]
                By.CSS_SELECTOR, f'input[name="{item}"][value="{option}"]'
            )
            # Scrolled into view first: a phone shows one question at a time.
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)  # type: ignore[attr-defined]
            if not box.is_selected():
                box.click()


async def test_she_takes_the_quiz_finds_her_result_and_downloads_her_agenda(
    site: Site, browsers: Open
) -> None:
    cafe_starts, training_starts = await seed_agenda(site)
    driver = browsers()
    driver.get(f"{site.url}/connexion/dev")
    click(driver, f"Agir en tant que {ELUE}")
    driver.get(f"{site.url}/espace")
    accessible(driver)

    press(driver, link("Faire mon autodiagnostic"))
    assert driver.current_url == f"{site.url}/espace/autodiagnostic"
    accessible(driver)
    # Sent with nothing answered: the problems are told in French, on an accessible page.
    press(driver, button("Voir mon résultat"))
    assert "Quelques réponses sont à revoir" in driver.page_source
    accessible(driver)
    answer_everything(driver, quiz_answers(3))
    press(driver, button("Voir mon résultat"))
    assert "/espace/diagnostics/" in driver.current_url, driver.current_url
    assert "Votre famille :" in driver.page_source
    accessible(driver)

    press(driver, link("Mes diagnostics"))
    accessible(driver)
    titles = [a.text for a in driver.find_elements("css selector", "ul.cartes h2 a")]
    assert len(titles) == 1 and titles[0].startswith("Autodiagnostic du ")
    press(driver, link(titles[0]))
    assert "Vision de la transition" in driver.page_source
    accessible(driver)

    driver.get(f"{site.url}/espace")
    press(driver, link("Voir mon agenda"))
    assert driver.current_url == f"{site.url}/espace/agenda"
    accessible(driver)
    page = driver.page_source
    assert page.index("Café élus/techniciens") < page.index("Formation : Sobriété")
    assert "momentanément indisponibles" in page  # lending is not running

    with tempfile.TemporaryDirectory(prefix="ics-") as folder:
        driver.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder}
        )
        driver.find_element("xpath", link("Télécharger mon agenda (fichier .ics)")).click()
        target = Path(folder) / "mon-agenda.ics"
        await wait_until(target.exists, timeout_s=20, what="the downloaded .ics")
        calendar = icalendar.Calendar.from_ical(target.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [
        cafe_starts.astimezone(UTC),
        training_starts.astimezone(UTC),
    ]
    assert str(events[0]["summary"]) == "Café élus/techniciens"
    # The invitations' UIDs (the platform's mail domain), not the site's address.
    assert all(str(e["uid"]).endswith(f"@{site.settings.mail_domain}") for e in events)
    assert str(events[1]["url"]).startswith(f"{site.url}/formations/")
