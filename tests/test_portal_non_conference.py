"""The non-conférence's page against the real training service: from the call for
contributions to the agenda of the day and its notes, in a browser as people click; bad
input is refused beside its form and changes nothing; nobody outside sees the page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from browser import PHONE, Open, accessible, click, dev_sign_in, fill, labelled, link, press
from test_portal_programmes import CLUNISOIS, Facilitator, accept, said
from test_portal_training import ELU, ELUE, TRAINER, Site, csrf, site

from deformations_common.vocabulary.french import PARIS
from deformations_devtools.people import person_id

pytestmark = pytest.mark.integration
__all__ = ["site"]  # the fixture, used by name

CONTRIBUTION = "Cantines : acheter local sans se ruiner"
OTHER = "Mutualiser un agent énergie entre communes"


async def non_conference(site: Site, *people: str) -> tuple[Facilitator, str]:
    """A non-conférence in the CC du Clunisois, its half-day planned, these people invited."""
    facilitator = Facilitator(site)
    programme = await facilitator.start("t10_non_conference", CLUNISOIS)
    day = (datetime.now(PARIS) + timedelta(days=20)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    await facilitator.plan(
        programme, "jour_j", "La demi-journée", day, timedelta(hours=4), place_insee="71137"
    )
    await facilitator.invite(programme, *people)
    return facilitator, programme


async def test_bad_input_is_refused_beside_its_form_and_strangers_see_nothing(site: Site) -> None:
    facilitator, programme = await non_conference(site, "elue-crest")
    await accept(site, ELUE, programme)
    url = f"/programmes/{programme}/non-conference"
    space = f"/v1/programmes/{programme}/open-space"

    async with site.person(TRAINER) as trainer:
        page = await trainer.get(url)
        assert page.status_code == 200, said(page)
        assert "Poser les salles et les créneaux" in said(page)
        day = re.search(r'name="jour" required value="([0-9-]+)"', said(page))
        assert day, "the frame form starts from the half-day's planned date"
        wrong = await trainer.post(
            f"{url}/cadre",
            data={"csrf": csrf(page), "jour": day.group(1), "salles": "Salle A", "creneaux": "2h"},
        )
        assert wrong.status_code == 422
        assert "« 2h » : écrivez un créneau comme « 14:00-15:00 »." in said(wrong)
        assert 'id="cadre-erreur"' in wrong.text and "Salle A" in said(wrong)
        overlapping = await trainer.post(
            f"{url}/cadre",
            data={
                "csrf": csrf(page),
                "jour": day.group(1),
                "salles": "Salle A",
                "creneaux": "14:00-15:00\n14:30-15:30",
            },
        )
        assert overlapping.status_code == 422
        assert "Les créneaux ne se chevauchent pas." in said(overlapping)
        forged = await trainer.post(f"{url}/appel", data={})
        assert forged.status_code == 403 and "Ce formulaire a expiré" in said(forged)
    state: dict[str, Any] = await facilitator.call("GET", space)
    assert state["rooms"] == [] and state["slots"] == [] and state["call_open"]

    async with site.person(ELUE) as elue:
        page = await elue.get(url)
        assert "Envoyer ma contribution" in said(page)
        assert "Clore l'appel" not in said(page) and "Poser les salles" not in said(page)
        short = await elue.post(f"{url}/contributions", data={"csrf": csrf(page), "titre": "ab"})
        assert short.status_code == 422
        assert "Le titre compte de 3 à 200 caractères." in said(short)
        # A member may not close the call: training refuses, in French, and it stays open.
        closing = await elue.post(f"{url}/appel", data={"csrf": csrf(page)})
        assert closing.status_code == 403 and "erreur" in said(closing)
    state = await facilitator.call("GET", space)
    assert state["contributions"] == [] and state["call_open"]

    async with site.person(ELU) as stranger:
        refused = await stranger.get(url)
        assert refused.status_code in (403, 404)
        assert CONTRIBUTION not in said(refused) and "Envoyer ma contribution" not in said(refused)


@pytest.mark.browser
async def test_in_a_browser_a_non_conference_from_its_call_to_the_agenda_and_its_notes(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    facilitator, programme = await non_conference(site, "elue-crest", "elu-aouste")
    await accept(site, ELU, programme)
    url = f"{site.url}/programmes/{programme}"

    # Before the day: the élue joins, then answers the call for contributions.
    elue = browsers(window=PHONE)
    dev_sign_in(elue, site.url, ELUE)
    # Her programmes are one link away from the training pages.
    elue.get(f"{site.url}/formations")
    press(elue, link("Mes programmes"))
    assert "invité·e" in elue.page_source
    accessible(elue)
    press(elue, f"//a[@href='/programmes/{programme}']")
    click(elue, "Je rejoins le programme")
    press(elue, link("La demi-journée : contributions, agenda, notes"))
    accessible(elue)
    fill(elue, "contribution-titre", CONTRIBUTION)
    fill(elue, "contribution-pitch", "Ce que nous avons tenté à Crest, et ce qui coince.")
    click(elue, "Envoyer ma contribution")
    assert "Merci : votre contribution est enregistrée." in elue.page_source
    assert CONTRIBUTION in elue.page_source

    # The facilitator closes the call and sets the frame of the day (its date prefilled).
    trainer = browsers(window=PHONE)
    dev_sign_in(trainer, site.url, TRAINER)
    trainer.get(f"{url}/non-conference")
    accessible(trainer)
    click(trainer, "Clore l'appel à contributions")
    assert "L'appel à contributions est clos." in trainer.page_source
    fill(trainer, "cadre-salles", "Salle du conseil\nMédiathèque")
    fill(trainer, "cadre-creneaux", "14:00-15:00\n15h15-16h15")
    click(trainer, "Poser les salles et les créneaux")
    assert "Les salles et les créneaux sont posés." in trainer.page_source

    # On the day: the élue proposes her contribution as a workshop; a colleague proposes
    # another; each votes for what they want.
    elue.get(f"{url}/non-conference")
    Select(elue.find_element(By.ID, "proposition-contribution")).select_by_visible_text(
        CONTRIBUTION
    )
    click(elue, "Proposer un atelier")
    assert "Votre atelier est proposé." in elue.page_source
    press(elue, labelled("J'y vais : " + CONTRIBUTION))
    assert "Votre choix est enregistré." in elue.page_source
    assert "1 voix" in elue.page_source and "Retirer ma voix" in elue.page_source
    accessible(elue)
    async with site.person(ELU) as elu:
        page = await elu.get(f"/programmes/{programme}/non-conference")
        proposed = await elu.post(
            f"/programmes/{programme}/non-conference/propositions",
            data={"csrf": csrf(page), "titre": OTHER},
        )
        assert proposed.status_code == 303

    # The facilitator builds the agenda from the votes: the most wanted takes the first cell.
    trainer.get(f"{url}/non-conference")
    click(trainer, "Construire l'agenda à partir des voix")
    assert "L'agenda du jour est construit." in trainer.page_source
    table = trainer.find_element(By.TAG_NAME, "table")
    first_row = table.find_elements(By.CSS_SELECTOR, "tbody tr")[0].text
    assert "14 h – 15 h" in first_row and CONTRIBUTION in first_row and OTHER in first_row
    accessible(trainer)
    # It moves the colleague's workshop to the second slot, where the two rooms are free.
    Select(trainer.find_element(By.ID, "deplacer-atelier")).select_by_visible_text(OTHER)
    Select(trainer.find_element(By.ID, "deplacer-case")).select_by_visible_text(
        "15 h 15 – 16 h 15, Médiathèque"
    )
    click(trainer, "Déplacer")
    rows = trainer.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert OTHER not in rows[0].text and OTHER in rows[1].text

    # The élue votes with her feet, takes notes in her workshop, and notes a demonstrator.
    elue.get(f"{url}/non-conference")
    press(elue, labelled("Rejoindre l'atelier : " + CONTRIBUTION))
    assert "Vous avez rejoint l'atelier." in elue.page_source
    workshop = next(
        p
        for p in (await facilitator.call("GET", f"/v1/programmes/{programme}/open-space"))[
            "proposals"
        ]
        if p["title"] == CONTRIBUTION
    )
    fill(elue, f"note-{workshop['id']}", "Trois communes prêtes à grouper leurs commandes.")
    press(elue, labelled("Ajouter la note : " + CONTRIBUTION))
    assert "Votre note est ajoutée." in elue.page_source
    assert "Trois communes prêtes à grouper leurs commandes." in elue.page_source
    fill(elue, "demonstrateur-titre", "Groupement de commandes des cantines du Clunisois")
    click(elue, "Noter ce projet démonstrateur")
    assert "Le projet démonstrateur est noté." in elue.page_source
    accessible(elue)

    state = await facilitator.call("GET", f"/v1/programmes/{programme}/open-space")
    mine = next(p for p in state["proposals"] if p["title"] == CONTRIBUTION)
    assert mine["notes"] == ["Trois communes prêtes à grouper leurs commandes."]
    assert mine["attendees"] == [str(person_id("elue-crest"))]
    assert state["demonstrators"][0]["carriers"] == [str(person_id("elue-crest"))]
    assert not state["call_open"] and len(state["contributions"]) == 1
