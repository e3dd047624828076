"""In Chromium on a phone: an operator uploads a new questionnaire version (a pasted text
with mistakes first, then a file), previews it as the quiz, publishes it after confirming;
then the élue of Crest answers the quiz, which is the new version, and her response carries
it. Diagnosis verifies the portal's tokens, as deployed; axe-core on every page."""

from __future__ import annotations

import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import pytest
from browser import PHONE, Open, accessible, button, click, link, press, serving
from my_space_support import ELUE, ELUE_ID, quiz_answers
from portal_pair import pair_settings
from test_portal_my_space_browser import answer_everything

from deformations_common.service import create_app
from deformations_devtools.diagnosis.versions import new_version_source
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra
from deformations_diagnosis.app import definition as diagnosis_definition
from deformations_diagnosis.content.loader import CURRENT_VERSION
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_portal.app import definition as portal_definition

pytestmark = [pytest.mark.integration, pytest.mark.browser]

OPERATOR = "operateur@demo.deformations.fr"
NEW = "2031-09-v1"
TITLE = "Élus en transition : édition de test"


async def test_an_operator_publishes_a_version_and_the_elue_answers_it(
    infra: Infra, database_url: str, namespace: str, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By

    pair = pair_settings(infra, database_url, namespace, "diagnosis", DiagnosisSettings)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            serving(create_app(portal_definition(pair.portal)), pair.portal_port, "portal")
        )
        await stack.enter_async_context(
            serving(create_app(diagnosis_definition(pair.service)), pair.service_port, "diagnosis")
        )
        await Portal(pair.portal).run(demo.create_accounts)

        driver = browsers(window=PHONE)
        driver.get(f"{pair.url}/connexion/dev")
        click(driver, f"Agir en tant que {OPERATOR}")
        driver.get(f"{pair.url}/operateur")
        press(driver, link("Questionnaires"))
        accessible(driver)
        assert f"Version {CURRENT_VERSION}" in driver.page_source
        assert "En service" in driver.page_source

        # Pasted with two mistakes: both are told beside the field, nothing is stored.
        broken = new_version_source(NEW, TITLE).replace(
            "min_collective_responses: 3", "min_collective_responses: 2"
        )
        broken = broken.replace(f'version: "{NEW}"', 'version: "2031-9"')
        # Pasted, as a person does: typing 31 kB key by key would keep the renderer busy
        # longer than the driver waits for it.
        area = driver.find_element(By.ID, "source")
        driver.execute_script("arguments[0].value = arguments[1]", area, broken)
        click(driver, "Déposer et prévisualiser")
        accessible(driver)
        assert "2 problèmes à corriger" in driver.page_source
        problems = driver.find_element(By.ID, "problemes").text
        assert "min_collective_responses : doit valoir au moins 3." in problems
        assert "version : forme non valable" in problems
        assert f"Version {NEW}" not in driver.page_source

        # The corrected file, chosen with the file input.
        with tempfile.TemporaryDirectory(prefix="questionnaire-") as folder:
            path = Path(folder) / f"questionnaire-{NEW}.yaml"
            path.write_text(new_version_source(NEW, TITLE), encoding="utf-8")
            driver.find_element(By.ID, "source").clear()
            driver.find_element(By.ID, "fichier").send_keys(str(path))
            click(driver, "Déposer et prévisualiser")
        assert driver.current_url.startswith(f"{pair.url}/operateur/questionnaires/{NEW}")
        accessible(driver)
        assert "Brouillon : personne ne la voit encore." in driver.page_source
        assert TITLE in driver.page_source
        assert driver.find_elements(By.CSS_SELECTOR, ".apercu fieldset")

        # Publishing asks for a confirmation first.
        click(driver, f"Publier la version {NEW}")
        accessible(driver)
        assert "Cochez la confirmation" in driver.page_source
        driver.find_element(By.ID, "confirmation").click()
        click(driver, f"Publier la version {NEW}")
        accessible(driver)
        assert "La version est publiée" in driver.page_source
        cards = driver.find_elements(By.CSS_SELECTOR, "ul.demandes li.carte")
        first = cards[0].text
        assert f"Version {NEW}" in first and "En service" in first

        press(driver, link("Journal des décisions"))
        accessible(driver)
        assert "questionnaire publié" in driver.page_source
        assert "questionnaire déposé" in driver.page_source
        assert f"questionnaire:{NEW}" in driver.page_source

        # The élue takes the quiz: the new version, and her response carries it.
        elue = browsers(window=PHONE)
        elue.get(f"{pair.url}/connexion/dev")
        click(elue, f"Agir en tant que {ELUE}")
        elue.get(f"{pair.url}/espace/autodiagnostic")
        accessible(elue)
        assert elue.find_element(By.TAG_NAME, "h1").text == TITLE
        answer_everything(elue, quiz_answers(5))
        press(elue, button("Voir mon résultat"))
        assert "/espace/diagnostics/" in elue.current_url, elue.current_url
        accessible(elue)

        conn = await asyncpg.connect(database_url)
        try:
            versions = await conn.fetch(
                f"SELECT questionnaire_version FROM {pair.service.schema_name}.responses"
                " WHERE person_id = $1",
                str(ELUE_ID),
            )
        finally:
            await conn.close()
        assert [r["questionnaire_version"] for r in versions] == [NEW]
