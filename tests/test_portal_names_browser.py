"""An élue who signs in by e-mail link has no name: on a phone she gives it from « Mon
espace », and the élu who met her at a speed-dating evening then sees her by it, where he
saw « membre n ». Real matching service, real Chromium, axe-core on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from browser import Open, accessible, click, fill, link, press
from matching_site import ELU, ELUE, MORE, TRAINER, UUID, Site, csrf, person_of, seen, site
from test_portal_matching_browser import sign_in

from deformations_common.vocabulary.french import as_paris
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_portal.service import people

pytestmark = [pytest.mark.integration, pytest.mark.browser]

__all__ = ["site"]

ADJOINTE = MORE[0][0]  # an élue of Crest the demo gives no name


async def draw_an_evening(site: Site) -> str:
    for email, siren in ((ELUE, demo.CREST), (ELU, demo.AOUSTE), *MORE):
        await site.member_known(email, siren)
    day = as_paris(site.clock()) + timedelta(days=3)
    async with site.person(TRAINER) as trainer:
        form = await trainer.get("/speed-dating/nouveau")
        everyone = re.findall(rf'name="participant" value="({UUID})"', form.text)
        drawn = await trainer.post(
            "/speed-dating",
            data={
                "csrf": csrf(form),
                "jour": day.date().isoformat(),
                "heure": "18:30",
                "tours": "2",
                "lieu": "Salle des fêtes de Crest",
                "participant": everyone,
            },
        )
        assert drawn.status_code == 303, seen(drawn)
    return drawn.headers["location"]


async def test_an_elue_signed_in_by_link_names_herself_and_is_seen_by_it(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By

    gathering = await draw_an_evening(site)
    her = str(person_of(ADJOINTE))

    def label_of_her(page: str) -> str:
        found = re.search(rf'id="revoir-{her}"[^>]*>\s*([^<]+)</label>', page)
        assert found, page
        return found.group(1).strip()

    async with site.person(ELU) as elu:
        before = seen(await elu.get(gathering))
        assert re.fullmatch(r"membre \d", label_of_her(before))
        assert "Claire Faure" in before  # the demo's élue of Crest has her name

    assert site.portal is not None
    sent = await Portal(site.portal).run(people.request_link, ADJOINTE, "10.0.0.7")
    assert sent is not None
    phone = browsers()
    phone.get(f"{site.url}/connexion/lien?jeton={sent.secret}")
    click(phone, "Me connecter")
    accessible(phone)
    assert "Comment vous appeler ?" in phone.page_source
    press(phone, link("Indiquer mon nom"))
    accessible(phone)
    fill(phone, "prenom", "  ")
    fill(phone, "nom", "Morel")
    click(phone, "Enregistrer mon nom")
    accessible(phone)  # the refusal too
    assert "Indiquez votre prénom" in phone.page_source
    assert phone.find_element(By.ID, "nom").get_attribute("value") == "Morel"
    fill(phone, "prenom", "Élise")
    click(phone, "Enregistrer mon nom")
    accessible(phone)
    assert "Votre nom est enregistré" in phone.page_source
    press(phone, link("Revenir à mon espace"))
    assert "Comment vous appeler ?" not in phone.page_source

    other = browsers()
    sign_in(other, site.url, ELU)
    other.get(f"{site.url}{gathering}")
    accessible(other)
    assert label_of_her(other.page_source) == "Élise Morel"
    assert ADJOINTE not in other.page_source
