"""The training pages of the portal against the real training service.

The portal and training serve on real ports; training verifies the portal's tokens
against its JWKS, as deployed. Training runs on a ManualClock (sessions take place,
questionnaires fall due) while the portal keeps real time, so its tokens stay valid.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from browser import Open, accessible, button, press, serving
from fastapi import FastAPI
from portal_pair import pair_settings

from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_common.vocabulary.french import as_paris
from deformations_common.vocabulary.roles import Role
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
)
from deformations_portal.app import definition as portal_definition
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.service import tokens
from deformations_portal.settings import PortalSettings
from deformations_training.app import definition as training_definition
from deformations_training.settings import TrainingSettings

pytestmark = pytest.mark.integration

BODY = demo.CRESTOIS  # the demo trainer acts for this SIREN
ELUE = "elue@crest.demo.deformations.fr"
ELU = "elu@aouste.demo.deformations.fr"
RH = "rh@crest.demo.deformations.fr"
TRAINER = "formatrice@demo.deformations.fr"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass
class Site:
    url: str
    clock: ManualClock  # training's
    training: FastAPI
    portal: PortalSettings  # to issue tokens as the portal does

    @asynccontextmanager
    async def person(self, email: str) -> AsyncIterator[httpx.AsyncClient]:
        """A browser-like client signed in as a demo account (dev sign-in)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            page = await client.get("/connexion/dev")
            signed = await client.post("/connexion/dev", data={"email": email, "csrf": csrf(page)})
            assert signed.status_code == 303, signed.text
            yield client


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    pair = pair_settings(infra, database_url, namespace, "training", TrainingSettings)
    url, settings, training_settings = pair.url, pair.portal, pair.service
    portal_port, training_port = pair.portal_port, pair.service_port
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    portal_app = create_app(portal_definition(settings))
    training_app = create_app(training_definition(training_settings, clock=clock))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(serving(portal_app, portal_port, "portal"))
        await stack.enter_async_context(serving(training_app, training_port, "training"))
        await Portal(settings).run(demo.create_accounts)
        # Training bodies are registered by an operator, on training's own API.
        issuer = await Portal(settings).run(tokens.load_issuer)
        now = datetime.now(UTC)
        operator = Membership(
            uuid.uuid4(), uuid.uuid4(), BODY, Role.OPERATOR, Status.VALIDATED, now
        )
        token = issuer.issue(operator.person_id, operator, "training", now)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{training_port}") as api:
            registered = await api.post(
                "/v1/bodies",
                json={"siren": BODY, "name": "Centre de formation du Crestois"},
                headers={"authorization": f"Bearer {token}"},
            )
            assert registered.status_code == 201, registered.text
        try:
            yield Site(url, clock, training_app, settings)
        finally:
            for app, s in ((portal_app, settings), (training_app, training_settings)):
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                await delete_broker_objects(infra.amqp_url, s, subscriptions)


def offer_form(day: datetime, **changes: str) -> dict[str, str]:
    form = {
        "title": "Sobriété énergétique des bâtiments communaux",
        "description": "Un module court, entre élus voisins.",
        "theme": "energie",
        "format": "evening",
        "duree": "3",
        "capacite": "1",
        "prix": "150",
        "lieu_insee": "26108",
        "lieu": "Salle des fêtes de Crest",
        "seance1_jour": day.date().isoformat(),
        "seance1_debut": "18:00",
        "seance1_fin": "21:00",
        "palier1_taille": "4",
        "palier1_prix": "120",
    }
    form.update(changes)
    return form


async def publish(trainer: httpx.AsyncClient, form: dict[str, str]) -> httpx.Response:
    page = await trainer.get("/organisme/formations/publier")
    assert page.status_code == 200
    return await trainer.post("/organisme/formations/publier", data={**form, "csrf": csrf(page)})


async def test_an_elue_enrols_attends_and_takes_the_trainers_rebond(site: Site) -> None:
    day = as_paris(site.clock()) + timedelta(days=7)
    async with site.person(TRAINER) as trainer:
        # Bad input: a clear French message, and nothing is published.
        refused = await publish(trainer, offer_form(day, capacite="beaucoup"))
        assert refused.status_code == 422
        assert "Indiquez le nombre de places en nombre entier." in refused.text
        assert "aucune formation" in (await trainer.get("/organisme/formations")).text
        no_token = await trainer.post("/organisme/formations/publier", data=offer_form(day))
        assert no_token.status_code == 403 and "Ce formulaire a expiré" in no_token.text

        published = await publish(trainer, offer_form(day, palier1_taille=""))
        assert published.status_code == 303, published.text
        offer_id = re.findall(UUID, published.headers["location"])[0]
        follow_up = await publish(
            trainer,
            offer_form(
                day + timedelta(days=30),
                title="Visite d'une chaufferie bois",
                format="visit",
                capacite="12",
            ),
        )
        next_id = re.findall(UUID, follow_up.headers["location"])[0]

    async with site.person(ELUE) as elue:
        found = await elue.get("/formations", params={"theme": "energie", "creneau": "evening"})
        assert found.status_code == 200
        assert "Sobriété énergétique des bâtiments communaux" in found.text
        elsewhere = await elue.get("/formations", params={"theme": "eau"})
        assert "Sobriété énergétique" not in elsewhere.text
        bad = await elue.get("/formations", params={"pres_de": "99999"})
        assert bad.status_code == 422 and "Code INSEE inconnu" in bad.text

        grouped = await elue.get(f"/formations/{next_id}")
        assert "À partir de 4 élus" in grouped.text and "120 €" in grouped.text
        page = await elue.get(f"/formations/{offer_id}")
        assert "150 €" in page.text and "Offre groupée" not in page.text
        enrolled = await elue.post(f"/formations/{offer_id}/inscription", data={"csrf": csrf(page)})
        assert enrolled.status_code == 303
        assert enrolled.headers["location"].endswith("inscription=confirmee")
        again = await elue.post(f"/formations/{offer_id}/inscription", data={"csrf": csrf(page)})
        assert again.status_code == 409  # the service's own French refusal

    async with site.person(ELU) as elu:
        page = await elu.get(f"/formations/{offer_id}")
        waitlisted = await elu.post(
            f"/formations/{offer_id}/inscription", data={"csrf": csrf(page)}
        )
        assert waitlisted.headers["location"].endswith("inscription=attente&rang=1")
        told = await elu.get(waitlisted.headers["location"])
        assert "vous êtes en position 1 sur la liste" in told.text

    # The evening of the session: the trainer takes attendance, then writes the rebond.
    site.clock.set((day.replace(hour=21, minute=30)).astimezone(UTC))
    async with site.person(TRAINER) as trainer:
        manage = await trainer.get(f"/organisme/formations/{offer_id}")
        assert manage.status_code == 200
        assert "1 sur 1 places" in manage.text
        enrolment_id = re.findall(rf"/organisme/inscriptions/({UUID})/presence", manage.text)[0]
        session_id = re.findall(rf'name="seance" value="({UUID})"', manage.text)[0]
        marked = await trainer.post(
            f"/organisme/inscriptions/{enrolment_id}/presence",
            data={
                "csrf": csrf(manage),
                "formation": offer_id,
                "seance": session_id,
                "presence": "present",
            },
        )
        assert marked.status_code == 303
        manage = await trainer.get(marked.headers["location"])
        assert "La présence est enregistrée." in manage.text
        assert "Écrire le débrief et proposer un rebond" in manage.text
        proposed = await trainer.post(
            f"/organisme/inscriptions/{enrolment_id}/rebond",
            data={
                "csrf": csrf(manage),
                "formation": offer_id,
                "kind": "module",
                "suite": next_id,
                "debrief": "Très impliquée sur le diagnostic des écoles de Crest.",
                "proposal": "Voir une chaufferie bois qui tourne, avec les élus voisins.",
            },
        )
        assert proposed.status_code == 303, proposed.text
        assert "/organisme/formations" in (await trainer.get("/formations")).text
        results = await trainer.get("/organisme/formations")
        assert "à partir de 3 réponses" in results.text

    async with site.person(ELUE) as elue:
        journey = await elue.get("/formations/parcours")
        assert "Très impliquée sur le diagnostic des écoles de Crest." in journey.text
        assert "Questionnaire de satisfaction" in journey.text
        rebond_id = re.findall(rf"/formations/rebonds/({UUID})", journey.text)[0]
        no_choice = await elue.post(
            f"/formations/rebonds/{rebond_id}", data={"csrf": csrf(journey)}
        )
        assert no_choice.status_code == 422
        taken = await elue.post(
            f"/formations/rebonds/{rebond_id}", data={"csrf": csrf(journey), "choix": "prendre"}
        )
        assert taken.status_code == 200 and "ajouté à votre parcours" in taken.text
        journey = await elue.get("/formations/parcours")
        assert "Visite d&#39;une chaufferie bois" in journey.text
        assert "Je prends ce rebond" not in journey.text

        evaluation_id = re.findall(rf"/formations/questionnaires/({UUID})", journey.text)[0]
        form = await elue.get(f"/formations/questionnaires/{evaluation_id}")
        half: dict[str, Any] = {"csrf": csrf(form), "overall": "5"}
        incomplete = await elue.post(f"/formations/questionnaires/{evaluation_id}", data=half)
        assert incomplete.status_code == 422
        assert "Répondez à chaque question" in incomplete.text
        answered = await elue.post(
            f"/formations/questionnaires/{evaluation_id}",
            data={**half, "usefulness": "4", "format_fit": "3"},
        )
        assert answered.status_code == 200 and "Vos réponses sont enregistrées" in answered.text
        assert "Questionnaire de satisfaction" not in (await elue.get("/formations/parcours")).text

        # The budget is not the élue's page.
        assert (await elue.get("/collectivite/budget-formation")).status_code == 403


async def test_the_rh_of_crest_votes_and_reads_the_training_budget(site: Site) -> None:
    year = as_paris(site.clock()).year
    async with site.person(RH) as rh:
        assert "/collectivite/budget-formation" in (await rh.get("/formations")).text
        page = await rh.get("/collectivite/budget-formation")
        assert page.status_code == 200
        assert "Mon Compte Formation" in page.text and "pas encore voté" in page.text
        wrong = await rh.post(
            "/collectivite/budget-formation",
            data={"csrf": csrf(page), "annee": str(year), "vote": "mille"},
        )
        assert wrong.status_code == 422 and "en euros" in wrong.text
        voted = await rh.post(
            "/collectivite/budget-formation",
            data={"csrf": csrf(page), "annee": str(year), "vote": "1000", "enveloppe": "20000"},
        )
        assert voted.status_code == 303
        page = await rh.get(voted.headers["location"])
        assert "Le budget voté est enregistré." in page.text
        assert "1 000 €" in page.text and "400 €" in page.text  # 2 % of 20 000 €


# ---- The same journey in a real headless Chromium, axe-core on every page --------------


def sign_in(driver: Any, site: Site, email: str) -> None:
    driver.get(f"{site.url}/connexion/dev")
    press(driver, button(f"Agir en tant que {email}"))


@pytest.mark.browser
async def test_in_a_browser_an_elue_enrols_and_takes_the_trainers_rebond(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    day = as_paris(site.clock()) + timedelta(days=7)
    trainer = browsers()
    sign_in(trainer, site, TRAINER)
    trainer.get(f"{site.url}/organisme/formations/publier")
    accessible(trainer)
    async with site.person(TRAINER) as http:
        published = await publish(http, offer_form(day, palier1_taille=""))
        offer_id = re.findall(UUID, published.headers["location"])[0]
        follow_up = await publish(
            http,
            offer_form(
                day + timedelta(days=30), title="Visite d'une chaufferie bois", capacite="9"
            ),
        )
        next_id = re.findall(UUID, follow_up.headers["location"])[0]

    elue = browsers()
    sign_in(elue, site, ELUE)
    elue.get(f"{site.url}/formations")
    accessible(elue)
    Select(elue.find_element(By.ID, "theme")).select_by_value("energie")
    elue.find_element(By.XPATH, '//input[@name="creneau"][@value="evening"]').click()
    press(elue, button("Chercher"))
    accessible(elue)
    press(elue, '//a[normalize-space()="Sobriété énergétique des bâtiments communaux"]')
    accessible(elue)
    press(elue, button("M'inscrire à cette formation"))
    assert "Votre inscription est confirmée" in elue.page_source
    accessible(elue)

    site.clock.set(day.replace(hour=21, minute=30).astimezone(UTC))
    trainer.get(f"{site.url}/organisme/formations/{offer_id}")
    accessible(trainer)
    press(trainer, button("Présent·e"))
    assert "La présence est enregistrée." in trainer.page_source
    accessible(trainer)
    trainer.find_element(By.XPATH, "//summary").click()
    trainer.find_element(By.NAME, "debrief").send_keys("Très à l'aise avec le bilan des écoles.")
    Select(trainer.find_element(By.NAME, "suite")).select_by_value(next_id)
    trainer.find_element(By.NAME, "proposal").send_keys("Une visite de chaufferie bois.")
    press(trainer, button("Envoyer le rebond"))
    assert "Le débrief et le rebond sont envoyés" in trainer.page_source

    elue.get(f"{site.url}/formations/parcours")
    assert "Très à l'aise avec le bilan des écoles." in elue.page_source
    accessible(elue)
    press(elue, button("Je prends ce rebond"))
    assert "ajouté à votre parcours" in elue.page_source
    accessible(elue)
    elue.get(f"{site.url}/formations/parcours")
    assert "Visite d'une chaufferie bois" in elue.page_source
    press(elue, '//a[normalize-space()="Questionnaire de satisfaction"]')
    accessible(elue)
    elue.get(f"{site.url}/collectivite/budget-formation")
    accessible(elue)  # the refusal page too
