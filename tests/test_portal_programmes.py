"""The programme page the e-mails link to, against the real training service: an élue
answers her invitation there, then the closing review; bad input changes nothing; a person
not invited sees nothing of the programme."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from browser import PHONE, Open, accessible, click, dev_sign_in, fill
from test_portal_training import BODY, ELU, ELUE, TRAINER, Site, csrf, site

from deformations_common.vocabulary.roles import Role
from deformations_devtools.people import person_id
from deformations_devtools.portal.support import Portal
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.service import tokens

pytestmark = pytest.mark.integration
__all__ = ["site"]  # the fixture, used by name

CLUNISOIS = "247100589"  # CC du Clunisois


def said(page: httpx.Response) -> str:
    """The page's text as read (apostrophes and the like unescaped)."""
    return html.unescape(page.text)


class Facilitator:
    """The trainer who runs the programme, on training's own API (no page starts one yet)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.url = f"http://127.0.0.1:{site.training.state.definition.settings.http_port}"

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        # A token of the portal's, as its pages send (training verifies the portal's JWKS).
        issuer = await Portal(self.site.portal).run(tokens.load_issuer)
        now = datetime.now(UTC)
        me = person_id("formatrice")
        acting = Membership(uuid.uuid4(), me, BODY, Role.TRAINER, Status.VALIDATED, now)
        headers = {"authorization": f"Bearer {issuer.issue(me, acting, 'training', now)}"}
        async with httpx.AsyncClient(base_url=self.url) as api:
            answer = await api.request(method, path, json=body, headers=headers)
        assert answer.status_code < 300, answer.text
        return answer.json()

    async def start(self, recipe: str, territory: str) -> str:
        """A programme of ``recipe`` in the territory of this SIREN: its id."""
        started = await self.call(
            "POST", "/v1/programmes", {"recipe_code": recipe, "territory_siren": territory}
        )
        return str(started["id"])

    async def plan(
        self,
        programme: str,
        step: str,
        title: str,
        starts: datetime,
        lasting: timedelta,
        **where: Any,
    ) -> None:
        """A session of the programme's ``step``; ``where``: remote, place_insee…"""
        session = {
            "step_key": step,
            "title": title,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + lasting).isoformat(),
            **where,
        }
        await self.call("POST", f"/v1/programmes/{programme}/sessions", session)

    async def invite(self, programme: str, *people: str) -> None:
        """These people (devtools' names) invited to the programme."""
        invited = [{"person_id": str(person_id(p))} for p in people]
        await self.call("POST", f"/v1/programmes/{programme}/invitations", {"people": invited})


async def accept(site: Site, email: str, programme: str) -> None:
    """The invitation accepted on the programme's page, as its invitee clicks."""
    async with site.person(email) as client:
        page = await client.get(f"/programmes/{programme}")
        answered = await client.post(
            f"/programmes/{programme}/invitation", data={"csrf": csrf(page), "choix": "accepter"}
        )
        assert answered.status_code == 303


async def test_an_elue_joins_a_programme_then_answers_its_review(site: Site) -> None:
    facilitator = Facilitator(site)
    programme = await facilitator.start("t10_non_conference", CLUNISOIS)
    await facilitator.invite(programme, "elue-crest")
    page_url = f"/programmes/{programme}"

    async with site.person(ELUE) as client:
        page = await client.get(page_url)
        assert page.status_code == 200, said(page)
        assert "La non-conférence des élus/élues" in said(page)
        assert "Vous êtes invité·e." in said(page)
        assert "Je rejoins le programme" in said(page)
        # Bad input: a clear French message, and the invitation is still open.
        forged = await client.post(f"{page_url}/invitation", data={"choix": "accepter"})
        assert forged.status_code == 403 and "Ce formulaire a expiré" in said(forged)
        blank = await client.post(f"{page_url}/invitation", data={"csrf": csrf(page)})
        assert blank.status_code == 422
        assert "Choisissez d'accepter ou de décliner l'invitation." in said(blank)
        assert "Vous êtes invité·e." in said(await client.get(page_url))

        joined = await client.post(
            f"{page_url}/invitation", data={"csrf": csrf(page), "choix": "accepter"}
        )
        assert joined.status_code == 303
        assert joined.headers["location"] == f"{page_url}?fait=acceptee"
        page = await client.get(joined.headers["location"])
        assert "Vous avez rejoint le programme" in said(page)
        assert "Vous êtes membre." in said(page) and "Je rejoins" not in said(page)
        assert "2 membres" in said(page)
        # Answered once: the service refuses a second answer, in French.
        again = await client.post(
            f"{page_url}/invitation", data={"csrf": csrf(page), "choix": "decliner"}
        )
        assert again.status_code >= 400 and "erreurs" in said(again)

    async with site.person(ELU) as client:
        stranger = await client.get(page_url)
        # The service's own French refusal; nothing of the programme shows.
        assert stranger.status_code == 403 and "erreurs" in said(stranger)
        assert "non-conférence" not in said(stranger) and "Je rejoins" not in said(stranger)

    closed = await facilitator.call("POST", f"/v1/programmes/{programme}/close")
    questions = closed["review_questions"]
    assert questions

    async with site.person(ELUE) as client:
        page = await client.get(page_url)
        assert "Le bilan : on sera content si…" in said(page)
        for question in questions:
            assert question in said(page)
        scores = {f"note_{i}": "3" for i in range(len(questions))}
        partial = {**scores, "note_0": "9", "csrf": csrf(page), "commentaire_0": "Très utile"}
        refused = await client.post(f"{page_url}/bilan", data=partial)
        assert refused.status_code == 422
        assert "Notez chaque critère, de 1 à 4." in said(refused)
        assert "Très utile" in said(refused)  # what was typed is kept
        summary = await facilitator.call("GET", f"/v1/programmes/{programme}/review")
        assert all(c["answers"] == 0 for c in summary)

        answered = await client.post(
            f"{page_url}/bilan", data={**scores, "csrf": csrf(page), "commentaire_0": "Utile"}
        )
        assert answered.status_code == 303
        assert answered.headers["location"] == f"{page_url}?fait=merci"
        page = await client.get(answered.headers["location"])
        assert "Merci : votre bilan est enregistré." in said(page)
        summary = await facilitator.call("GET", f"/v1/programmes/{programme}/review")
        assert all(c["answers"] == 1 for c in summary)

    async with site.person(TRAINER) as client:
        led = await client.get(page_url)
        assert "Vous animez ce programme." in said(led)
        assert not re.search(r'action="[^"]*/(invitation|bilan)"', said(led))


@pytest.mark.browser
async def test_in_a_browser_the_programme_page_is_accessible_on_a_phone(
    site: Site, browsers: Open
) -> None:
    from selenium.webdriver.common.by import By

    facilitator = Facilitator(site)
    programme = await facilitator.start("t10_non_conference", CLUNISOIS)
    await facilitator.invite(programme, "elue-crest")
    elue = browsers(window=PHONE)
    dev_sign_in(elue, site.url, ELUE)
    elue.get(f"{site.url}/programmes/{programme}")
    accessible(elue)
    click(elue, "Je rejoins le programme")
    assert "Vous avez rejoint le programme" in elue.page_source
    accessible(elue)

    closed = await facilitator.call("POST", f"/v1/programmes/{programme}/close")
    elue.get(f"{site.url}/programmes/{programme}")
    accessible(elue)
    for i in range(len(closed["review_questions"])):
        elue.find_element(By.XPATH, f'//input[@name="note_{i}"][@value="4"]').click()
    fill(elue, "commentaire_0", "On repart avec deux projets à tester.")
    click(elue, "Envoyer mon bilan")
    assert "Merci : votre bilan est enregistré." in elue.page_source
    accessible(elue)
