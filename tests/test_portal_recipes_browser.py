"""In Chromium on a phone: an operator rewrites a recipe of the catalogue (an emptied
title first, told beside the field), then everyone reads the new text on the recipe's
page; axe-core on every page."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from browser import PHONE, Open, accessible, click, fill, link, press, serving

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_contracts.catalogue.recipes import load_catalogue
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, free_port, isolated_settings
from deformations_portal.app import definition as portal_definition
from deformations_portal.settings import PortalSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

OPERATOR = "operateur@demo.deformations.fr"
RECIPE = load_catalogue().thematiques[7].recipe


async def test_an_operator_rewrites_a_recipe_and_its_page_shows_it(
    infra: Infra, database_url: str, namespace: str, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By

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
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            serving(create_app(portal_definition(settings)), port, "portal")
        )
        await Portal(settings).run(demo.create_accounts)

        driver = browsers(window=PHONE)
        driver.get(f"{url}/connexion/dev")
        click(driver, f"Agir en tant que {OPERATOR}")
        driver.get(f"{url}/operateur")
        press(driver, link("Recettes"))
        accessible(driver)
        edit = f"//a[@href='/operateur/recettes/{RECIPE.code}']"
        press(driver, edit)
        accessible(driver)
        assert driver.find_element(By.ID, "titre").get_attribute("value") == RECIPE.title

        fill(driver, "titre", "")
        click(driver, "Enregistrer la recette")
        accessible(driver)
        assert driver.find_element(By.ID, "titre-erreur").text == "Donnez un titre à la recette."
        assert driver.find_element(By.ID, "titre").get_attribute("aria-invalid") == "true"

        fill(driver, "titre", "Prêter un agent, mode d'emploi")
        fill(driver, "content", "Deux communes se prêtent un agent\nLe prêt est rendu")
        click(driver, "Enregistrer la recette")
        accessible(driver)
        assert "La recette est enregistrée" in driver.page_source
        assert "Texte modifié par les opérateurs" in driver.page_source

        reader = browsers(window=PHONE)
        reader.get(f"{url}/thematiques/{RECIPE.code[1:3].lstrip('0')}")
        accessible(reader)
        press(reader, link("Lire la recette phare"))
        accessible(reader)
        assert reader.find_element(By.TAG_NAME, "h1").text == "Prêter un agent, mode d'emploi"
        happy = [
            li.text
            for li in reader.find_elements(
                By.XPATH, "//h2[starts-with(., 'On sera content')]/following-sibling::ul[1]/li"
            )
        ]
        assert happy == ["Deux communes se prêtent un agent", "Le prêt est rendu"]
