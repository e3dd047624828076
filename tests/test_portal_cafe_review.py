"""The three-month review of a café cycle through the portal's pages, against the real
matching service: closed before three months, answered alone, wrong fields shown beside
them, and only what a participant shares reaches the café's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from matching_site import AGENT, ELUE, RH, Site, csrf, person_of, seen, site

from deformations_common.vocabulary.french import as_paris
from deformations_devtools.portal import demo

pytestmark = pytest.mark.integration

__all__ = ["plan_a_cafe", "site"]

QUESTIONS = ("comprehension", "rituel", "roles", "projets")


async def plan_a_cafe(site: Site) -> str:
    """A cycle of Crest pairing its élue with its agent, planned by the RH; its id."""
    for email in (ELUE, AGENT):
        await site.member_known(email, demo.CREST)
    day = (as_paris(site.clock()) + timedelta(days=20)).date().isoformat()
    async with site.person(RH) as rh:
        form = await rh.get("/cafes/nouveau")
        planned = await rh.post(
            "/cafes",
            data={
                "csrf": csrf(form),
                "premier_jour": day,
                "lieu": "Mairie de Crest",
                "sujet": "energie",
                f"role_{person_of(ELUE)}": "elu",
                f"role_{person_of(AGENT)}": "technicien",
                f"role_{person_of(RH)}": "",
            },
        )
        assert planned.status_code == 303, seen(planned)
        return str(planned.headers["location"]).removeprefix("/cafes/")


async def test_a_participant_answers_the_review_then_shares_it(site: Site) -> None:
    cycle_id = await plan_a_cafe(site)
    answers = {f"note_{q}": "4" for q in QUESTIONS} | {"texte": "Des clés communes"}
    async with site.person(ELUE) as elue:
        page = await elue.get(f"/cafes/{cycle_id}")
        assert "Le questionnaire s'ouvre le" in seen(page)
        early = await elue.post(f"/cafes/{cycle_id}/bilan", data={"csrf": csrf(page), **answers})
        assert early.status_code == 409 and "trois mois après le premier café" in seen(early)
    site.clock.advance(timedelta(days=120))  # matching's
    async with site.person(ELUE) as elue:
        page = await elue.get(f"/cafes/{cycle_id}")
        assert 'action="/cafes/' in page.text and "Enregistrer mes réponses" in seen(page)
        missing = {k: v for k, v in answers.items() if k != "note_roles"}
        wrong = await elue.post(f"/cafes/{cycle_id}/bilan", data={"csrf": csrf(page), **missing})
        assert wrong.status_code == 422 and 'id="note_roles-erreur"' in wrong.text
        assert "Vous avez déjà répondu" not in seen(wrong)
        kept = await elue.post(f"/cafes/{cycle_id}/bilan", data={"csrf": csrf(page), **answers})
        assert kept.status_code == 303
        mine = await elue.get(kept.headers["location"])
        assert "Vos réponses au bilan sont enregistrées." in seen(mine)
        assert "vos réponses ne sont pas partagées" in seen(mine)
        assert 'id="note_roles-4" name="note_roles" value="4" checked' in mine.text
    async with site.person(AGENT) as agent:
        # The other member of the pair sees the form, not the élue's unshared answers.
        page = seen(await agent.get(f"/cafes/{cycle_id}"))
        assert "Des clés communes" not in page and "0 réponse partagée" in page
    async with site.person(ELUE) as elue:
        page = await elue.get(f"/cafes/{cycle_id}")
        shared = await elue.post(
            f"/cafes/{cycle_id}/bilan",
            data={"csrf": csrf(page), **answers, "partager": "oui", "partager_texte": "oui"},
        )
        assert shared.status_code == 303
    async with site.person(RH) as rh:
        page = await rh.get(f"/cafes/{cycle_id}")
        # The RH was not paired: no form; one shared answer is not shown, her text is.
        assert "Enregistrer mes réponses" not in seen(page)
        assert "1 réponse partagée" in seen(page) and "à partir de 3" in seen(page)
        assert "Des clés communes" in seen(page) and "Plutôt d'accord :" not in seen(page)
