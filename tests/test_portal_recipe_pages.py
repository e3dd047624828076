"""The pages of the élus enquêteurs' enquiry, the macro-micro toolbox and the trainers'
co-development, against the real training service: what each programme produced is there
to read, the enquiry takes interview notes and learnings in a browser, and bad input is
refused beside its form."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from browser import PHONE, Open, accessible, click, dev_sign_in, fill, labelled, link, press
from test_portal_programmes import Facilitator, said
from test_portal_training import ELU, ELUE, TRAINER, Site, site

from deformations_common.vocabulary.french import PARIS

pytestmark = pytest.mark.integration
__all__ = ["site"]  # the fixture, used by name

CC_CLUNISOIS = "247100589"
CREST = "212601082"
CORMATIN = "217101450"


async def started(site: Site, recipe: str, territory: str, invite: bool = True) -> str:
    facilitator = Facilitator(site)
    programme = await facilitator.start(recipe, territory)
    if invite:
        await facilitator.invite(programme, "elue-crest")
    return programme


async def toolbox_and_codev(site: Site) -> tuple[str, str]:
    """A macro-micro workshop in Crest with its research, a co-dev group with a session."""
    facilitator = Facilitator(site)
    workshop = await started(site, "t05_atelier_macro_micro", CREST, invite=False)
    await facilitator.call(
        "POST",
        f"/v1/programmes/{workshop}/materials",
        {
            "step_key": "personnalite",
            "kind": "note",
            "title": "Les travaux de la chercheuse sur les bourgs-centres",
            "body": "Synthèse en quatre pages.",
        },
    )
    codev = await started(site, "t11_codev_formateurs", CC_CLUNISOIS, invite=False)
    start = (datetime.now(PARIS) + timedelta(days=10)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    await facilitator.plan(
        codev, "seance", "Séance de co-développement", start, timedelta(hours=2), remote=True
    )
    return workshop, codev


async def test_the_toolbox_and_the_codev_pages_show_what_their_programmes_hold(
    site: Site,
) -> None:
    workshop, codev = await toolbox_and_codev(site)
    async with site.person(TRAINER) as trainer:
        tools = await trainer.get(f"/programmes/{workshop}/boite-a-outils")
        assert tools.status_code == 200, said(tools)
        assert "Crest" in said(tools) and "Les communes voisines" in said(tools)
        assert "Les travaux de la chercheuse sur les bourgs-centres" in said(tools)
        programme_page = await trainer.get(f"/programmes/{workshop}")
        assert f'href="/programmes/{workshop}/boite-a-outils"' in programme_page.text
        session = await trainer.get(f"/programmes/{codev}/codev")
        assert session.status_code == 200, said(session)
        assert "Séance de co-développement" in said(session)
        assert "Synthèse et plan d'actions" in said(session)  # the six steps of the 2 h
        assert "Non-concurrence" in said(session)
        # A page of another recipe's programme does not exist.
        assert (await trainer.get(f"/programmes/{codev}/boite-a-outils")).status_code == 404
    async with site.person(ELU) as stranger:
        assert (await stranger.get(f"/programmes/{workshop}/boite-a-outils")).status_code in (
            403,
            404,
        )


@pytest.mark.browser
async def test_in_a_browser_the_toolbox_and_the_codev_pages_are_accessible_on_a_phone(
    site: Site, browsers: Open
) -> None:
    workshop, codev = await toolbox_and_codev(site)
    trainer = browsers(window=PHONE)
    dev_sign_in(trainer, site.url, TRAINER)
    trainer.get(f"{site.url}/programmes/{workshop}")
    press(trainer, link("La boîte à outils territoriale"))
    assert "Les communes voisines de l'intercommunalité" in trainer.page_source
    accessible(trainer)
    trainer.get(f"{site.url}/programmes/{codev}")
    press(trainer, link("Le co-développement : séance, cas, productions"))
    assert "Synthèse et plan d'actions" in trainer.page_source
    accessible(trainer)


@pytest.mark.browser
async def test_in_a_browser_an_elue_notes_an_interview_and_shares_a_learning(
    site: Site, browsers: Open
) -> None:
    facilitator = Facilitator(site)
    enquiry = await started(site, "t04_elus_enqueteurs", CC_CLUNISOIS)
    base = f"/v1/programmes/{enquiry}/enquete"
    await facilitator.call(
        "PUT",
        f"{base}/question",
        {
            "question": "Comment des communes ont-elles monté un méthaniseur ?",
            "guide": ["Qui a porté le projet ?", "Qu'auriez-vous fait autrement ?"],
        },
    )
    entry = await facilitator.call(
        "POST",
        f"{base}/field",
        {"collectivite_siren": CORMATIN, "whom": "Le maire", "place": "La mairie"},
    )
    elue = browsers(window=PHONE)
    dev_sign_in(elue, site.url, ELUE)
    elue.get(f"{site.url}/programmes/{enquiry}")
    click(elue, "Je rejoins le programme")
    press(elue, link("L'enquête : terrain, entretiens, apprentissages"))
    assert "Qui a porté le projet ?" in elue.page_source
    accessible(elue)
    save = labelled("Enregistrer les notes : Cormatin")
    press(elue, save)  # empty notes: refused beside the form
    assert 'id="entretien-erreur"' in elue.page_source
    fill(elue, f"notes-{entry['id']}", "Un collectif d'agriculteurs, la commune en appui.")
    press(elue, save)
    assert "Vos notes d'entretien sont enregistrées." in elue.page_source
    assert "rencontré·e" in elue.page_source
    fill(elue, "apprentissage", "Associer les agriculteurs dès le premier jour.")
    elue.find_element("css selector", "input[name=partage]").click()
    click(elue, "Noter cet apprentissage")
    assert "Votre apprentissage est noté." in elue.page_source
    assert "(partagé avec le réseau)" in elue.page_source
    accessible(elue)

    state = await facilitator.call("GET", base)
    assert state["field_list"][0]["notes"] == ["Un collectif d'agriculteurs, la commune en appui."]
    assert state["learnings"][0]["shared"] is True

    async with site.person(ELU) as stranger:
        page = await stranger.get(f"/programmes/{enquiry}/enquete")
        assert page.status_code in (403, 404) and "méthaniseur" not in said(page)
