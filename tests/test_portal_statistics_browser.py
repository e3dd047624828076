"""The Région's statistics in a real browser on a phone: an operator opens the dashboard,
switches level, sees the chart and its table and downloads the CSV; she gives a partner
access, who does the same; an élue meets the 403 page; when the statistics service stops,
the page says so in French. axe-core on every page."""

from __future__ import annotations

import csv
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from browser import PHONE, Open, accessible, button, fill, link, press
from statistics_site import (
    ELUE,
    OPERATOR,
    StatisticsSite,
    shown_table,
    sign_in,
    statistics_site,
)

from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, wait_until
from deformations_portal.service import memberships

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PARTNER = "partenaire@region.example.fr"


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[StatisticsSite]:
    async with statistics_site(infra, database_url, namespace) as site:
        yield site


def choose(driver: Any, field_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, field_id)).select_by_visible_text(text)


def sees_chart_and_table(driver: Any) -> None:
    from selenium.webdriver.common.by import By

    picture = driver.find_element(By.CSS_SELECTOR, "figure.graphique svg[role='img']")
    assert picture.get_attribute("aria-labelledby") == "graphique-titre graphique-desc"
    description = driver.find_element(By.ID, "graphique-desc").get_attribute("textContent")
    assert "Les mêmes chiffres sont dans le tableau" in description
    assert driver.find_elements(By.CSS_SELECTOR, "figure.graphique rect.barre")
    assert driver.find_element(By.CSS_SELECTOR, ".statistiques table caption").text


async def downloads_csv(driver: Any, expected_level: str) -> list[list[str]]:
    with tempfile.TemporaryDirectory(prefix="csv-") as folder:
        driver.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder}
        )
        driver.find_element("xpath", link("Télécharger ce tableau (CSV)")).click()
        target = Path(folder) / "deformations-diagnostics-familles.csv"
        await wait_until(target.exists, timeout_s=20, what="the downloaded CSV")
        lines = list(csv.reader(target.read_text(encoding="utf-8").splitlines()))
    assert lines[0][:2] == ["code", expected_level]
    return lines


async def test_operator_and_partner_read_the_dashboard_and_download_it(
    site: StatisticsSite, browsers: Open
) -> None:
    operator = browsers(window=PHONE)
    sign_in(operator, site, OPERATOR)
    press(operator, link("Statistiques"))
    accessible(operator)
    assert "Autodiagnostics par famille d'élus — par département" in operator.page_source
    sees_chart_and_table(operator)
    by_departement = shown_table(operator, "departement")
    assert by_departement.cells[("Ardèche", "Total")] is None  # one élue in Privas
    assert any(by_departement.cells.values())  # and some figures are shown
    assert "secret statistique" in operator.page_source

    choose(operator, "niveau", "Taille de commune")
    press(operator, button("Afficher"))
    accessible(operator)
    assert "— par taille de commune" in operator.page_source
    sees_chart_and_table(operator)
    lines = await downloads_csv(operator, "Taille de commune")
    shown = shown_table(operator, "taille")
    # The file says what the page says: the same places, the same secrets.
    assert {line[1] for line in lines[1:-1]} == {p for (p, _) in shown.cells if p != "*"}
    assert ("secret" in {c for line in lines for c in line}) == (None in shown.cells.values())

    # The région filter keeps the départements of Auvergne-Rhône-Alpes.
    choose(operator, "niveau", "Département")
    choose(operator, "region", "Auvergne-Rhône-Alpes")
    press(operator, button("Afficher"))
    accessible(operator)
    places = {p for (p, _) in shown_table(operator, "departement").cells}
    assert places == {"Ardèche", "Drôme", "*"}

    # The operator gives a partner of the Région read access.
    press(operator, link("Demandes à valider"))
    accessible(operator)
    fill(operator, "siren", demo.CRESTOIS)
    fill(operator, "email", PARTNER)
    choose(operator, "role", "partenaire")
    press(operator, button("Envoyer l'invitation"))
    assert "L'invitation est envoyée." in operator.page_source

    async def accepted(uow: Any) -> None:  # as the e-mailed link does when followed
        identity = await uow.persons.identity("email", PARTNER)
        await memberships.accept_invitations(uow, identity.person_id)

    await Portal(site.pair.portal).run(accepted)
    partner = browsers(window=PHONE)
    sign_in(partner, site, PARTNER)
    press(partner, link("Statistiques"))
    accessible(partner)
    sees_chart_and_table(partner)
    choose(partner, "niveau", "Région")
    press(partner, button("Afficher"))
    accessible(partner)
    regions = {p for (p, _) in shown_table(partner, "region").cells}
    assert regions == {"Auvergne-Rhône-Alpes", "Île-de-France", "*"}
    lines = await downloads_csv(partner, "Région")
    assert lines[-1][1] == "Toute la plateforme"
    with tempfile.TemporaryDirectory(prefix="ods-") as folder:
        partner.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder}
        )
        partner.find_element(
            "xpath", link("Télécharger l'indicateur, un onglet par niveau (ODS)")
        ).click()
        target = Path(folder) / "deformations-diagnostics-familles.ods"
        await wait_until(target.exists, timeout_s=20, what="the downloaded ODS")
        with zipfile.ZipFile(target) as archive:
            content = archive.read("content.xml").decode()
    assert all(f'table:name="{sheet}"' in content for sheet in ("Région", "Taille de commune"))

    press(partner, link("Données ouvertes : les indicateurs publiés et leur licence"))
    accessible(partner)
    assert "Licence Ouverte" in partner.page_source

    # An élue is not a reader: the French 403 page, itself accessible.
    elue = browsers(window=PHONE)
    sign_in(elue, site, ELUE)
    assert not elue.find_elements("xpath", link("Statistiques"))
    elue.get(f"{site.url}/statistiques")
    accessible(elue)
    assert "réservées aux opérateurs de la plateforme et à ses partenaires" in elue.page_source

    # A choice the lists do not offer is told beside the field, in French.
    operator.get(f"{site.url}/statistiques?niveau=commune")
    accessible(operator)
    assert "Choisissez un niveau dans la liste." in operator.page_source
    assert not operator.find_elements("css selector", ".statistiques table")
    operator.get(f"{site.url}/statistiques?region=99")
    accessible(operator)
    assert "La région « 99 » n'existe pas" in operator.page_source

    # The service stops: the dashboard says so, in French, within the site.
    await site.stop_statistics()
    operator.get(f"{site.url}/statistiques")
    accessible(operator)
    assert "Le service des statistiques ne répond pas" in operator.page_source
