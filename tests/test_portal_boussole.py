"""The boussole de la participation's page against the real training service: ten
collectivités surveyed in a browser, ending in the ambition × effort picture (with its table)
and a roadmap followed up; bad input is refused beside its form and changes nothing."""

from __future__ import annotations

import re

import pytest
from browser import PHONE, Open, accessible, click, dev_sign_in, fill, labelled, link, press
from test_portal_programmes import Facilitator, said
from test_portal_training import ELU, ELUE, TRAINER, Site, csrf, site

pytestmark = pytest.mark.integration
__all__ = ["site"]  # the fixture, used by name

DROME = "200040509"
# SIREN → (name, size class, a dispositif with its ambition and effort)
SURVEYED = {
    "212600191": ("Aurel", "XXS", "Réunion publique annuelle", 1, 1),
    "938438454": ("Saillans", "XS", "Commissions participatives", 5, 4),
    "212601082": ("Crest", "S", "Budget participatif", 4, 3),
    "212601132": ("Die", "S", "Conseil de quartier", 2, 2),
    "212600589": ("Bourg-lès-Valence", "M", "Questionnaire en ligne", 1, 2),
    "212601983": ("Montélimar", "M", "Conseil citoyen", 3, 3),
    "212602817": ("Romans-sur-Isère", "M", "Atelier de quartier", 3, 2),
    "212603625": ("Valence", "L", "Budget participatif", 4, 4),
    "213801855": ("Grenoble", "L", "Votation citoyenne", 5, 5),
    "216901231": ("Lyon", "XXL", "Conseil de développement", 2, 4),
}


async def boussole(site: Site, *people: str) -> tuple[Facilitator, str]:
    facilitator = Facilitator(site)
    programme = await facilitator.start("t09_boussole_participation", DROME)
    if people:
        await facilitator.invite(programme, *people)
    return facilitator, programme


async def test_bad_input_is_refused_beside_its_form_and_changes_nothing(site: Site) -> None:
    facilitator, programme = await boussole(site)
    url = f"/programmes/{programme}/boussole"
    async with site.person(TRAINER) as trainer:
        page = await trainer.get(url)
        assert page.status_code == 200, said(page)
        assert "encore 10 à ajouter" in said(page)
        short = await trainer.post(
            f"{url}/collectivites", data={"csrf": csrf(page), "siren": "2126"}
        )
        assert short.status_code == 422 and "Un SIREN compte neuf chiffres." in said(short)
        assert 'id="collectivite-erreur"' in short.text and 'value="2126"' in short.text
        unknown = await trainer.post(
            f"{url}/collectivites", data={"csrf": csrf(page), "siren": "123456789"}
        )
        assert unknown.status_code == 422
        assert "Collectivité inconnue du code officiel géographique." in said(unknown)
        added = await trainer.post(
            f"{url}/collectivites", data={"csrf": csrf(page), "siren": "212601082"}
        )
        assert added.status_code == 303
        page = await trainer.get(added.headers["location"])
        form = {"csrf": csrf(page), "collectivite": "212601082", "nom": "Budget participatif"}
        unrated = await trainer.post(f"{url}/dispositifs", data={**form, "ambition": "9"})
        assert unrated.status_code == 422 and "Notez l'ambition de 1 à 5." in said(unrated)
        assert 'value="Budget participatif"' in unrated.text
        elsewhere = await trainer.post(
            f"{url}/dispositifs",
            data={**form, "collectivite": "212600191", "ambition": "3", "effort": "2"},
        )
        assert elsewhere.status_code == 422
        assert "Choisissez une collectivité de l'enquête." in said(elsewhere)
    state = await facilitator.call("GET", f"/v1/programmes/{programme}/boussole")
    assert [s["siren"] for s in state["surveyed"]] == ["212601082"]
    assert state["surveyed"][0]["dispositifs"] == []

    async with site.person(ELU) as stranger:
        seen = await stranger.get(url)
        assert seen.status_code in (403, 404) and "Crest" not in said(seen)


@pytest.mark.browser
async def test_in_a_browser_ten_collectivites_end_in_the_grid_and_a_roadmap(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    facilitator, programme = await boussole(site, "elue-crest")
    elue = browsers(window=PHONE)
    dev_sign_in(elue, site.url, ELUE)
    elue.get(f"{site.url}/programmes/{programme}")
    click(elue, "Je rejoins le programme")
    press(elue, link("La boussole : enquête, grille, feuilles de route"))
    accessible(elue)

    for siren, (_, _, dispositif, ambition, effort) in SURVEYED.items():
        fill(elue, "siren", siren)
        click(elue, "Ajouter à l'enquête")
        assert "La collectivité est dans l'enquête." in elue.page_source
        Select(elue.find_element(By.ID, "dispositif-collectivite")).select_by_value(siren)
        fill(elue, "dispositif-nom", dispositif)
        Select(elue.find_element(By.ID, "ambition")).select_by_visible_text(str(ambition))
        Select(elue.find_element(By.ID, "effort")).select_by_visible_text(str(effort))
        click(elue, "Noter ce dispositif")
        assert "Le dispositif est noté." in elue.page_source
    caption = elue.find_element(By.CSS_SELECTOR, "#enquete ~ div table caption").text
    assert caption == "10 collectivités ; tailles : XXS, XS, S, M, L, XXL"

    # The picture: one numbered dot per dispositif, where its table row puts it.
    picture = elue.find_element(By.CSS_SELECTOR, "svg[role=img]")
    dots = picture.find_elements(By.TAG_NAME, "circle")
    assert len(dots) == len(SURVEYED)
    rows = elue.find_elements(By.CSS_SELECTOR, "#grille ~ div table tbody tr")
    assert len(rows) == len(SURVEYED)
    by_number = {r.find_elements(By.TAG_NAME, "td")[0].text: r.text for r in rows}
    grenoble = next(n for n, text in by_number.items() if "Grenoble" in text)
    aurel = next(n for n, text in by_number.items() if "Aurel" in text)
    labels = {t.text: t for t in picture.find_elements(By.TAG_NAME, "text")}
    top_right, bottom_left = labels[grenoble], labels[aurel]
    # Grenoble's votation (ambition 5, effort 5) sits up and right of Aurel's meeting (1, 1).
    assert float(top_right.get_attribute("x")) > float(bottom_left.get_attribute("x"))
    assert float(top_right.get_attribute("y")) < float(bottom_left.get_attribute("y"))
    accessible(elue)

    # Crest's roadmap: a dispositif to test, then its follow-up once tried.
    Select(elue.find_element(By.ID, "feuille-collectivite")).select_by_value("212601082")
    fill(elue, "feuille-dispositif", "Commissions participatives ouvertes aux habitants")
    fill(elue, "feuille-conseils", "Commencer par une commission, tirer au sort la moitié.")
    click(elue, "Ajouter à la feuille de route")
    assert "La feuille de route a une étape de plus." in elue.page_source
    follow_up = labelled(
        "Enregistrer le suivi : Commissions participatives ouvertes aux habitants, Crest"
    )
    item = re.findall(r'name="etape" value="([0-9a-f-]+)"', elue.page_source)[0]
    Select(elue.find_element(By.ID, f"statut-{item}")).select_by_value("tried")
    press(elue, follow_up)
    assert "Décrivez les effets du dispositif testé." in elue.page_source  # beside the form
    fill(elue, f"effets-{item}", "Vingt habitants tirés au sort, deux projets votés.")
    press(elue, follow_up)
    assert "Le suivi est enregistré." in elue.page_source
    assert "Effets : Vingt habitants tirés au sort, deux projets votés." in elue.page_source
    accessible(elue)

    state = await facilitator.call("GET", f"/v1/programmes/{programme}/boussole")
    crest = next(s for s in state["surveyed"] if s["siren"] == "212601082")
    assert crest["roadmap"][0]["status"] == "tried"
    assert sorted(state["sizes_covered"]) == sorted({v[1] for v in SURVEYED.values()})
