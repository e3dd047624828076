"""A groupe d'entraide by clicking, on a phone, against the real matching service.

The élue of Crest opens an appel à pairs; the élu of Aouste joins it in one click and
another élue of Crest answers it in her own words (a fourth élu answers over HTTP, to
make four); the author forms the group, both accept their invitation, the élu of Aouste
proposes the sessions and the élue of Crest sees them. Then the RH of Crest forms café
pairs, the trainer of the Crestois draws an evening, and the élu of Aouste finds it.
axe-core checks every page on the way, refusals included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from browser import Open, accessible, button, click, fill, link, press
from matching_site import AGENT, ELU, ELUE, MORE, RH, TRAINER, Site, csrf, post_call, site

from deformations_common.vocabulary.french import as_paris
from deformations_devtools.portal import demo

pytestmark = [pytest.mark.integration, pytest.mark.browser]

__all__ = ["site"]

THEME = "Énergie : sobriété, efficacité, renouvelables"


def sign_in(driver: Any, url: str, email: str) -> None:
    driver.get(f"{url}/connexion/dev")
    accessible(driver)
    click(driver, f"Agir en tant que {email}")
    accessible(driver)


def sign_out(driver: Any) -> None:
    click(driver, "Se déconnecter")


def tick(driver: Any, field_id: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, field_id)
    if not box.is_selected():
        box.click()


def set_value(driver: Any, field_id: str, value: str) -> None:
    """A date or time field, whose typing depends on the browser's locale."""
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, field_id)
    driver.execute_script("arguments[0].value = arguments[1]", field, value)


def to_calls(driver: Any) -> None:
    press(driver, link("Mes rencontres"))
    accessible(driver)
    press(driver, link("Appels à pairs"))
    accessible(driver)


def answer_the_call(driver: Any, url: str, email: str) -> None:
    sign_in(driver, url, email)
    to_calls(driver)
    press(driver, link("Répondre à cet appel"))
    accessible(driver)
    assert "<h1>Répondre à un appel à pairs</h1>" in driver.page_source
    tick(driver, "creneau-evening")
    click(driver, "Répondre à l'appel")
    accessible(driver)
    assert "Votre appel à pairs est publié." in driver.page_source
    sign_out(driver)


def join_the_call(driver: Any, url: str, email: str) -> None:
    sign_in(driver, url, email)
    to_calls(driver)
    click(driver, "Rejoindre cet appel")
    accessible(driver)
    assert "Vous avez rejoint l'appel" in driver.page_source
    # Once joined, the call offers no second join; one can step back from it.
    assert "Ne plus rejoindre cet appel" in driver.page_source
    assert "Rejoindre cet appel</button>" not in driver.page_source
    sign_out(driver)


def accept(driver: Any, url: str, email: str) -> None:
    sign_in(driver, url, email)
    press(driver, link("Mes rencontres"))
    accessible(driver)
    press(driver, link(THEME))
    accessible(driver)
    assert "en attente des réponses" in driver.page_source
    click(driver, "J'accepte ma place")
    accessible(driver)
    assert "Vous avez accepté votre place dans le groupe." in driver.page_source


async def test_elues_form_a_peer_group_and_plan_its_sessions_by_clicking(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browsers()
    sign_in(driver, site.url, ELUE)
    to_calls(driver)
    assert "Vous n'avez aucun appel ouvert." in driver.page_source
    press(driver, link("Lancer un appel à pairs"))
    accessible(driver)
    Select(driver.find_element(By.ID, "theme")).select_by_value("energie")
    fill(driver, "probleme", "Nos écoles chauffent mal et coûtent cher : par où commencer ?")
    tick(driver, "creneau-evening")
    click(driver, "Publier mon appel")
    accessible(driver)
    assert "Votre appel à pairs est publié." in driver.page_source
    sign_out(driver)

    join_the_call(driver, site.url, ELU)
    answer_the_call(driver, site.url, MORE[0][0])
    async with site.person(MORE[1][0]) as fourth:
        assert (await post_call(fourth, creneau=["evening"])).status_code == 303

    sign_in(driver, site.url, ELUE)
    to_calls(driver)
    click(driver, "Constituer le groupe")
    accessible(driver)
    assert "Le groupe est proposé" in driver.page_source
    assert "1 sur 4 ont accepté" in driver.page_source
    sign_out(driver)

    accept(driver, site.url, ELU)
    sign_out(driver)
    accept(driver, site.url, MORE[0][0])
    group_path = driver.current_url.removeprefix(site.url).split("?")[0]
    sign_out(driver)
    async with site.person(MORE[1][0]) as fourth:
        page = await fourth.get(group_path)
        answered = await fourth.post(
            f"{group_path}/reponse", data={"csrf": csrf(page), "choix": "accepter"}
        )
        assert answered.status_code == 303

    sign_in(driver, site.url, ELU)
    driver.get(f"{site.url}{group_path}")
    accessible(driver)
    assert "confirmé : tout le monde a accepté" in driver.page_source
    day = (as_paris(site.clock()) + timedelta(days=10)).date().isoformat()
    set_value(driver, "jour", day)
    set_value(driver, "heure", "18:30")
    fill(driver, "lieu", "Salle du conseil, mairie d'Aouste-sur-Sye")
    click(driver, "Proposer les séances")
    accessible(driver)
    assert "Les séances du groupe sont fixées" in driver.page_source
    assert "(séance 5/5)" in driver.page_source
    sign_out(driver)

    sign_in(driver, site.url, ELUE)
    press(driver, link("Mes rencontres"))
    accessible(driver)
    assert "(séance 1/5)" in driver.page_source
    press(driver, "//a[contains(., '(séance 1/5)')]")
    accessible(driver)
    assert "Salle du conseil, mairie d'Aouste-sur-Sye" in driver.page_source
    # The élu of Aouste organises the sessions: only he may move them.
    assert not driver.find_elements(By.XPATH, button("Déplacer"))
    assert "Seule la personne qui organise la séance" in driver.page_source


async def test_a_cafe_and_an_evening_are_organised_and_seen_by_clicking(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By

    for email, siren in ((ELUE, demo.CREST), (AGENT, demo.CREST), (ELU, demo.AOUSTE), *MORE):
        await site.member_known(email, siren)
    day = (as_paris(site.clock()) + timedelta(days=12)).date().isoformat()
    driver = browsers()

    sign_in(driver, site.url, RH)
    press(driver, link("Mes rencontres"))
    accessible(driver)
    press(driver, link("Organiser un café élus–techniciens"))
    accessible(driver)
    set_value(driver, "premier_jour", day)
    fill(driver, "lieu", "Mairie de Crest, salle des mariages")
    click(driver, "Former les binômes")
    accessible(driver)  # the refusal too: no subject was ticked
    assert "Choisissez au moins un sujet pour les cafés." in driver.page_source
    tick(driver, "sujet-energie")
    click(driver, "Former les binômes")
    accessible(driver)
    assert "Les binômes" in driver.page_source
    # The topics log: a wrong field first (axe-core on the refusal), then a topic noted.
    click(driver, "Noter ce sujet")
    accessible(driver)
    assert "Indiquez le jour du café" in driver.page_source
    set_value(driver, "jour", day)
    fill(driver, "sujet", "La rénovation de l'école")
    click(driver, "Noter ce sujet")
    accessible(driver)
    assert "Le sujet est noté dans le journal du cycle." in driver.page_source
    # Back to the list of the cycles of Crest: the new one is coming.
    press(driver, link("← Les cafés de ma collectivité"))
    accessible(driver)
    assert "à venir" in driver.page_source
    press(driver, "//a[starts-with(normalize-space(), 'Cycle du ')]")
    accessible(driver)
    assert "Les binômes" in driver.page_source
    sign_out(driver)

    sign_in(driver, site.url, TRAINER)
    press(driver, link("Mes rencontres"))
    accessible(driver)
    press(driver, link("Organiser un speed dating"))
    accessible(driver)
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name=participant]"):
        box.click()
    set_value(driver, "jour", day)
    fill(driver, "tours", "2")
    fill(driver, "lieu", "Salle des fêtes de Crest")
    click(driver, "Tirer les tours")
    accessible(driver)
    assert "Qui rencontre qui" in driver.page_source
    sign_out(driver)

    sign_in(driver, site.url, ELU)
    press(driver, link("Mes rencontres"))
    accessible(driver)
    press(driver, "//a[starts-with(normalize-space(), 'Soirée du ')]")
    accessible(driver)
    assert "Vos rencontres" in driver.page_source
    assert "Mes atomes crochus" in driver.page_source
