"""A skill loan between two villages, every step by clicking in Chromium on a phone's
screen, axe-core on every page: the élue of Crest proposes a skill, the élu of
Aouste-sur-Sye asks for it, Crest's élue and HR give their approvals, the HR naming the
agent, who gives their own consent, a half-day is proposed and confirmed,
held, the borrower ends the loan with its feedback and the agent answers theirs.

Four people on one browser, one after the other (sign out, then « Agir en tant que… » on
the dev sign-in page): two cores run the suite, one Chromium is enough.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from browser import PHONE, Open, accessible, button, click, fill, link, press
from portal_lending_support import (
    AGENT,
    BORROWER,
    HR,
    LENDER,
    Site,
    lending_site,
    next_monday,
)

from deformations_devtools.testing import Infra

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ROLE = "Technicienne énergie"


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    async with lending_site(infra, database_url, namespace) as running:
        yield running


def choose(driver: Any, field_id: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, field_id)).select_by_value(value)


def set_date(driver: Any, field_id: str, iso: str) -> None:
    """A date field takes what the browser's locale types; its value is set as ISO."""
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, field_id)
    driver.execute_script("arguments[0].value = arguments[1]", field, iso)


def tick(driver: Any, xpath: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.XPATH, xpath).click()


def text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "main").text)


def sign_in_as(driver: Any, site: Site, email: str) -> None:
    from selenium.webdriver.common.by import By

    if driver.find_elements(By.XPATH, button("Se déconnecter")):
        click(driver, "Se déconnecter")
    driver.get(f"{site.url}/connexion/dev")
    click(driver, f"Agir en tant que {email}")


def open_the_loan(driver: Any) -> None:
    """From anywhere: « Mon espace », then « Mes prêts », then the loan."""
    press(driver, link("Mon espace"))
    accessible(driver)
    press(driver, link("Mes prêts"))
    accessible(driver)
    press(driver, f"//main//a[starts-with(normalize-space(), '{ROLE} — ')]")
    accessible(driver)


async def test_four_people_agree_a_loan_and_end_it_by_clicking(site: Site, browsers: Open) -> None:
    driver = browsers(window=PHONE)
    start = (site.clock() + timedelta(days=1)).date()
    day = next_monday(site.clock(), 14)

    # The élue of Crest proposes a skill; an empty form first: messages beside the fields.
    sign_in_as(driver, site, LENDER)
    press(driver, link("Prêts de compétences"))
    accessible(driver)
    press(driver, link("Proposer une compétence"))
    accessible(driver)
    click(driver, "Publier l'offre")
    accessible(driver)
    assert "Le formulaire n'est pas envoyé" in text(driver)
    assert "Cochez au moins une demi-journée possible dans la semaine." in text(driver)
    choose(driver, "theme", "energie")
    fill(driver, "agent_role", ROLE)
    fill(driver, "description", "Un diagnostic des bâtiments communaux et un plan de sobriété.")
    fill(driver, "agent_ref", "M-042")
    fill(driver, "capacite", "6")
    set_date(driver, "du", start.isoformat())
    set_date(driver, "au", (start + timedelta(days=120)).isoformat())
    tick(driver, "//input[@name='creneau' and @value='1:am']")
    choose(driver, "remboursement", "full_salary")
    click(driver, "Publier l'offre")
    accessible(driver)
    assert "Votre offre est publiée" in text(driver)

    # The élu of Aouste-sur-Sye finds it near him and asks for it.
    sign_in_as(driver, site, BORROWER)
    press(driver, link("Prêts de compétences"))
    choose(driver, "pres", "departement")
    click(driver, "Chercher")
    accessible(driver)
    press(driver, link(ROLE))
    accessible(driver)
    fill(driver, "demi_journees", "2")
    fill(driver, "perimetre", "Diagnostic de l'école et de la mairie.")
    click(driver, "Demander ce prêt")
    accessible(driver)
    assert "Votre demande est envoyée" in text(driver)

    # Crest's élue gives her approval, then its HR, naming the agent, who consents.
    sign_in_as(driver, site, LENDER)
    open_the_loan(driver)
    click(driver, "Donner l'accord de l'élu·e de la collectivité d'origine")
    accessible(driver)
    assert "Votre accord est enregistré." in text(driver)

    sign_in_as(driver, site, HR)
    open_the_loan(driver)
    click(driver, "Valider et désigner l'agent")  # nobody chosen: refused, said beside it
    accessible(driver)
    assert "Choisissez l'agent mis à disposition." in text(driver)
    tick(driver, "//select[@id='rh-agent']/option[contains(., 'agent@crest')]")
    click(driver, "Valider et désigner l'agent")
    accessible(driver)
    assert "doit maintenant donner son accord, en personne" in text(driver)

    # The agent gives their own consent; then sees the loan agreed; their attestation
    # comes once a half-day is held.
    sign_in_as(driver, site, AGENT)
    open_the_loan(driver)
    click(driver, "Je donne mon accord")
    accessible(driver)
    assert "Votre accord est enregistré : merci." in text(driver)
    assert "convenu" in text(driver)
    assert "Accord de l'agent (en personne) : donné" in text(driver)
    assert "L'attestation des demi-journées effectuées" not in text(driver)

    # A half-day: the borrower proposes it, the lender confirms it.
    sign_in_as(driver, site, BORROWER)
    open_the_loan(driver)
    set_date(driver, "seance-jour", day.isoformat())
    choose(driver, "seance-moment", "am")
    click(driver, "Proposer cette demi-journée")
    accessible(driver)
    assert "à confirmer" in text(driver)

    sign_in_as(driver, site, LENDER)
    open_the_loan(driver)
    click(driver, "Confirmer la demi-journée")
    accessible(driver)
    assert "confirmée" in text(driver)

    # The half-day takes place; the borrower declares it, then ends the loan with its
    # feedback.
    site.clock.advance(timedelta(days=30))
    sign_in_as(driver, site, BORROWER)
    open_the_loan(driver)
    click(driver, "Déclarer la demi-journée effectuée")
    accessible(driver)
    press(driver, link("Terminer le prêt et donner notre avis"))
    accessible(driver)
    click(driver, "Terminer le prêt et envoyer notre avis")
    accessible(driver)
    assert "attendent une réponse" in text(driver)
    for question, answer in (("useful", "5"), ("need_met", "4"), ("autonomy", "4")):
        tick(driver, f"//input[@name='{question}' and @value='{answer}']")
    tick(driver, "//input[@name='again' and @value='oui']")
    fill(driver, "q-comment", "Une aide précieuse, merci à Crest.")
    click(driver, "Terminer le prêt et envoyer notre avis")
    accessible(driver)
    assert "Le prêt est terminé : merci pour votre avis." in text(driver)
    press(driver, link("← Mes prêts"))
    accessible(driver)
    assert "État : terminé" in text(driver)

    # The agent answers their own questionnaire, shown only in aggregate.
    sign_in_as(driver, site, AGENT)
    open_the_loan(driver)
    assert "L'attestation des demi-journées effectuées (PDF)" in text(driver)
    press(driver, link("Donner votre avis sur ce prêt"))
    accessible(driver)
    for question in ("interest", "recognition", "conditions"):
        tick(driver, f"//input[@name='{question}' and @value='4']")
    tick(driver, "//input[@name='again' and @value='oui']")
    click(driver, "Envoyer mon avis")
    accessible(driver)
    assert "Merci : votre avis est enregistré." in text(driver)
    assert "Donner votre avis sur ce prêt" not in text(driver)

    # What it adds up to, from the loan page: the hours ledger, then the offer's results
    # (one agent's answers stay hidden: fewer than three).
    press(driver, link("Le grand livre des heures"))
    accessible(driver)
    assert "collectivité prêteuse" in text(driver)
    sign_in_as(driver, site, BORROWER)
    open_the_loan(driver)
    press(driver, link("Les retours des prêts de cette offre"))
    accessible(driver)
    assert "4,0 sur 5" in text(driver) and "100 % de oui" in text(driver)
    assert "1 réponse : moins de trois, les résultats ne sont pas montrés." in text(driver)
