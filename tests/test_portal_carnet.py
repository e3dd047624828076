"""The carnet de bord's page against the real training service: an élue keeps her entries
over three months (training's clock moves), shares one with her coach and takes another
back; the coach sees only what is shared; bad input is refused beside the form and writes
nothing; nobody outside the programme sees the page."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from browser import PHONE, Open, accessible, click, dev_sign_in, fill, labelled, link, press
from test_portal_programmes import CLUNISOIS, Facilitator, accept, said
from test_portal_training import ELU, ELUE, RH, TRAINER, Site, csrf, site

from deformations_common.vocabulary.french import PARIS, date_fr

pytestmark = pytest.mark.integration
__all__ = ["site"]  # the fixture, used by name

PRIVATE = "Compte rendu du conseil communautaire"


async def carnet(site: Site, *people: str) -> tuple[Facilitator, str]:
    """A carnet de bord with three monthly coaching appointments, these people invited."""
    facilitator = Facilitator(site)
    programme = await facilitator.start("t02_carnet_de_bord", CLUNISOIS)
    first = (datetime.now(PARIS) + timedelta(days=7)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    for month in range(3):
        await facilitator.plan(
            programme,
            "coaching",
            f"Rendez-vous de coaching n° {month + 1}",
            first + timedelta(days=30 * month),
            timedelta(hours=1),
            remote=True,
        )
    await facilitator.invite(programme, *people)
    return facilitator, programme


async def test_bad_entries_are_refused_beside_the_form_and_strangers_see_nothing(
    site: Site,
) -> None:
    _, programme = await carnet(site, "elue-crest")
    await accept(site, ELUE, programme)
    url = f"/programmes/{programme}/carnet"
    async with site.person(ELUE) as elue:
        page = await elue.get(url)
        assert page.status_code == 200, said(page)
        assert "Votre carnet est vide" in said(page)
        assert "Rendez-vous de coaching n° 1" in said(page)
        form = {"csrf": csrf(page), "genre": "note", "titre": "Lecture", "mots": "deux mots"}
        refused = await elue.post(f"{url}/entrees", data=form)
        assert refused.status_code == 422
        assert 'id="entree-erreur"' in refused.text and "minuscules" in said(refused)
        assert 'value="Lecture"' in refused.text  # what was typed is kept
        module = {**form, "genre": "module", "mots": ""}
        refused = await elue.post(f"{url}/entrees", data=module)
        assert refused.status_code == 422
        assert "Un module suivi désigne la formation suivie" in said(refused)
        forged = await elue.post(f"{url}/entrees", data={**form, "csrf": "devinette"})
        assert forged.status_code == 403
        assert "Votre carnet est vide" in said(await elue.get(url))
        other = await elue.post(
            f"{url}/entrees/00000000-0000-0000-0000-000000000000/partage",
            data={"csrf": csrf(page), "choix": "partager"},
        )
        assert other.status_code == 404 and "Entrée introuvable." in said(other)

    for stranger in (ELU, RH):
        async with site.person(stranger) as client:
            seen = await client.get(url)
            assert seen.status_code in (403, 404)
            assert "Mon carnet de bord" not in said(seen)


@pytest.mark.browser
async def test_in_a_browser_a_carnet_over_three_months_with_one_entry_shared(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _, programme = await carnet(site, "elue-crest", "elu-aouste")
    # A colleague in the same programme keeps a private entry the coach never sees.
    await accept(site, ELU, programme)
    async with site.person(ELU) as elu:
        page = await elu.get(f"/programmes/{programme}/carnet")
        written = await elu.post(
            f"/programmes/{programme}/carnet/entrees",
            data={"csrf": csrf(page), "genre": "note", "titre": PRIVATE},
        )
        assert written.status_code == 303

    elue = browsers(window=PHONE)
    dev_sign_in(elue, site.url, ELUE)
    elue.get(f"{site.url}/programmes/{programme}")
    click(elue, "Je rejoins le programme")
    press(elue, link("Le carnet de bord"))
    accessible(elue)

    titles = [
        ("resource", "Guide de la commande publique responsable", "cantine, achats"),
        ("situation", "Réunion publique sur la cantine", "cantine, concertation"),
        ("note", "Ce que je retiens de la visite de Cluny", "visite"),
    ]
    days = []
    for month, (kind, title, tags) in enumerate(titles):
        if month:
            site.clock.advance(timedelta(days=31))
        days.append(date_fr(site.clock()))
        Select(elue.find_element(By.ID, "genre")).select_by_value(kind)
        fill(elue, "titre", title)
        fill(elue, "texte", f"Mois {month + 1} : ce que j'en retiens.")
        fill(elue, "mots", tags)
        click(elue, "Ajouter à mon carnet")
        assert "Elle reste privée tant que vous ne la partagez pas." in elue.page_source
        if month == 1:
            press(elue, labelled(f"Partager avec mon coach : {title}"))
            assert "L'entrée est partagée avec votre coach." in elue.page_source
        if month == 2:
            # Shared by mistake, then taken back at once.
            press(elue, labelled(f"Partager avec mon coach : {title}"))
            press(elue, labelled(f"Ne plus partager : {title}"))
            assert "votre coach ne la voit plus" in elue.page_source
    accessible(elue)
    text = elue.find_element(By.TAG_NAME, "main").text
    for (_, title, _), day in zip(titles, days, strict=True):
        assert title in text and day in text
    assert PRIVATE not in text  # a colleague's entry, even in the same programme
    assert text.count("partagée avec le coach") == 1 and text.count("privée") >= 2
    # Her tags sort the carnet: « cantine » keeps the first two months.
    press(elue, link("cantine"))
    text = elue.find_element(By.TAG_NAME, "main").text
    assert titles[0][1] in text and titles[1][1] in text and titles[2][1] not in text
    accessible(elue)

    coach = browsers(window=PHONE)
    dev_sign_in(coach, site.url, TRAINER)
    coach.get(f"{site.url}/programmes/{programme}/carnet")
    accessible(coach)
    text = coach.find_element(By.TAG_NAME, "main").text
    assert "Les entrées que les élus vous ont partagées" in text
    assert titles[1][1] in text
    assert titles[0][1] not in text and titles[2][1] not in text and PRIVATE not in text
    assert "Rendez-vous de coaching n° 3" in text
    assert "Ajouter à mon carnet" not in coach.page_source
