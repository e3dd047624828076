"""The élue of Crest answers her café cycle's three-month review by clicking, on a phone,
against the real matching service; axe-core checks every page, the refusal included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser import Open, accessible, click, fill, link, press
from matching_site import ELUE, Site, site
from test_portal_cafe_review import QUESTIONS, plan_a_cafe
from test_portal_matching_browser import sign_in, tick

pytestmark = [pytest.mark.integration, pytest.mark.browser]

__all__ = ["site"]


async def test_the_elue_answers_the_review_and_shares_it(site: Site, browsers: Open) -> None:
    from selenium.webdriver.common.by import By

    cycle_id = await plan_a_cafe(site)
    site.clock.advance(timedelta(days=120))  # matching's: the review is open
    driver = browsers()
    sign_in(driver, site.url, ELUE)
    press(driver, link("Mes rencontres"))
    press(driver, link("Les cafés de ma collectivité"))
    accessible(driver)
    press(driver, f'//a[@href="/cafes/{cycle_id}"]')
    accessible(driver)
    assert "Bilan à trois mois" in driver.page_source
    # One statement left unanswered: said beside it, nothing kept.
    for code in QUESTIONS[:-1]:
        driver.find_element(By.ID, f"note_{code}-4").click()
    fill(driver, "texte", "Des clés communes sur le chauffage de l'école")
    click(driver, "Enregistrer mes réponses")
    accessible(driver)
    assert "Choisissez une réponse de 1 à 5." in driver.page_source
    assert driver.find_element(By.ID, "note_comprehension-4").is_selected()
    driver.find_element(By.ID, f"note_{QUESTIONS[-1]}-5").click()
    tick(driver, "partager")
    tick(driver, "partager_texte")
    click(driver, "Enregistrer mes réponses")
    accessible(driver)
    assert "Vos réponses au bilan sont enregistrées." in driver.page_source
    assert "Vous avez déjà répondu et partagé vos réponses" in driver.page_source
    shared = driver.find_element(By.XPATH, "//h3[normalize-space()='Les réponses partagées']/..")
    assert "Des clés communes sur le chauffage de l'école" in shared.text
    assert "1 réponse partagée" in shared.text
