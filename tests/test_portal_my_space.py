"""« Mes diagnostics », the signed-in quiz and « Mon agenda » against the real services.

The quiz is posted to the portal, which sends it to diagnosis with the élue's token: the
response is recorded under her person id, and she finds it in her list. The agenda gathers
matching and training; lending is not running, and its part says so in French.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import icalendar
import pytest
from my_space_support import (
    ELU_AOUSTE,
    ELUE,
    ELUE_ID,
    UUID,
    Site,
    csrf,
    my_space_site,
    quiz_answers,
    seed_agenda,
)

from deformations_common.vocabulary.roles import Role
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, wait_until
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_portal import space as space_lines
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.service import tokens

pytestmark = pytest.mark.integration

PREMIER_MANDAT = "Est-ce votre premier mandat ?"


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    async with my_space_site(infra, database_url, namespace) as site:
        yield site


async def stored_people(database_url: str) -> list[str | None]:
    """Who each stored response is attributed to (diagnosis's schema, read directly: its
    pool lives on the loop of the thread that serves it)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT person_id FROM diagnosis.responses ORDER BY created_at")
    finally:
        await conn.close()
    return [r["person_id"] for r in rows]


async def test_her_quiz_is_hers_listed_newest_first_with_her_progress(
    site: Site, database_url: str
) -> None:
    async with site.person(ELUE) as elue:
        empty = await elue.get("/espace/diagnostics")
        assert empty.status_code == 200
        assert "pas encore fait d'autodiagnostic" in empty.text

        quiz = await elue.get("/espace/autodiagnostic")
        assert quiz.status_code == 200 and "Quel·le élu·e en transition" in quiz.text
        submission_id = re.search(rf'name="submission_id" value="({UUID})"', quiz.text)
        assert submission_id
        fields = {"csrf": [csrf(quiz)], "submission_id": [submission_id.group(1)]}

        # Bad input: a clear French message per question, answers kept, nothing stored.
        partial = await elue.post("/espace/autodiagnostic", data={**fields, "mandat": ["maire"]})
        assert partial.status_code == 422
        assert "Quelques réponses sont à revoir" in partial.text
        assert f"« {PREMIER_MANDAT} » : choisissez une réponse." in html.unescape(partial.text)
        assert 'value="maire" checked' in partial.text
        forged = await elue.post("/espace/autodiagnostic", data=quiz_answers(1))
        assert forged.status_code == 403 and "Ce formulaire a expiré" in forged.text
        assert await stored_people(database_url) == []

        first = await elue.post("/espace/autodiagnostic", data={**fields, **quiz_answers(1)})
        assert first.status_code == 303, first.text
        first_id = re.findall(UUID, first.headers["location"])[0]
        assert first.headers["location"] == f"/espace/diagnostics/{first_id}"
        assert await stored_people(database_url) == [str(ELUE_ID)]
        # The same filled quiz posted again (back button): stored once, she lands on her list.
        again = await elue.post("/espace/autodiagnostic", data={**fields, **quiz_answers(1)})
        assert again.headers["location"] == "/espace/diagnostics"
        assert await stored_people(database_url) == [str(ELUE_ID)]

        result = await elue.get(f"/espace/diagnostics/{first_id}")
        assert result.status_code == 200
        assert "Votre famille :" in result.text and "Vision de la transition" in result.text
        assert f'href="/diagnostic/resultats/{first_id}"' in result.text
        assert "Autres pistes à votre portée" in html.unescape(result.text)
        assert result.text.count('href="/recettes/') >= 2  # her next step and the others

        quiz = await elue.get("/espace/autodiagnostic")
        second = await elue.post(
            "/espace/autodiagnostic", data={"csrf": [csrf(quiz)], **quiz_answers(7)}
        )
        second_id = re.findall(UUID, second.headers["location"])[0]

        listed = await elue.get("/espace/diagnostics")
        assert listed.text.index(second_id) < listed.text.index(first_id)
        assert "Votre progression depuis le" in listed.text
        assert "Échelle d'action" in html.unescape(listed.text)
        space = await elue.get("/espace")
        assert f"/espace/diagnostics/{second_id}" in space.text
        assert "Faire mon autodiagnostic" in space.text

        # Matching learns her diagnosis from its event; her next steps then show, each
        # with its recipe's text and a link to the recipe's page.
        async def next_steps_shown() -> bool:
            return 'href="/recettes/' in _section((await elue.get("/espace")).text, "s-etapes")

        await wait_until(next_steps_shown, what="her next steps in « Mon espace »")
        steps = _section((await elue.get("/espace")).text, "s-etapes")
        code = re.findall(r'href="/recettes/([a-z0-9_]+)"', steps)[0]
        assert space_lines.recipe_text(code) in html.unescape(steps)
        recipe = await elue.get(f"/recettes/{code}")
        assert recipe.status_code == 200


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


async def test_a_result_shows_only_to_the_person_who_gave_it(site: Site) -> None:
    async with site.person(ELUE) as elue:
        quiz = await elue.get("/espace/autodiagnostic")
        hers = await elue.post(
            "/espace/autodiagnostic", data={"csrf": [csrf(quiz)], **quiz_answers(3)}
        )
        hers_id = re.findall(UUID, hers.headers["location"])[0]
        assert (await elue.get(f"/espace/diagnostics/{hers_id}")).status_code == 200
    # A response given without signing in (diagnosis's anonymous quiz) is nobody's.
    [(_, submission)] = synthetic_submissions(load_questionnaire(), 1, seed=5)
    async with httpx.AsyncClient(base_url=site.settings.service_urls["diagnosis"]) as api:
        anonymous = await api.post(
            "/v1/responses",
            json={
                "submission_id": str(uuid.uuid4()),
                "questionnaire_version": submission.questionnaire_version,
                "answers": {k: list(v) for k, v in submission.answers.items()},
            },
        )
    assert anonymous.status_code == 201, anonymous.text
    anonymous_id = anonymous.json()["response_id"]

    async with site.person(ELU_AOUSTE) as other:
        for response_id in (hers_id, anonymous_id):
            refused = await other.get(f"/espace/diagnostics/{response_id}")
            assert refused.status_code == 404
            assert "Ce résultat n'existe pas ou n'est plus visible." in html.unescape(refused.text)
            assert "Votre famille" not in refused.text


async def test_her_agenda_gathers_matching_and_training_and_says_what_is_missing(
    site: Site,
) -> None:
    cafe_starts, training_starts = await seed_agenda(site)
    async with site.person(ELUE) as elue:
        agenda = await elue.get("/espace/agenda")
        assert agenda.status_code == 200
        text = agenda.text
        assert text.index("Café élus/techniciens") < text.index("Formation : Sobriété")
        assert "de 8 h à 9 h" in text and "de 18 h à 21 h" in text
        assert "Mairie de Crest, salle des mariages" in text
        # Lending is not running: its notice, not an error page.
        assert "Les demi-journées de prêt de compétences sont momentanément indisponibles" in text

        feed = await elue.get("/espace/agenda.ics")
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        assert "attachment" in feed.headers["content-disposition"]
        events = list(icalendar.Calendar.from_ical(feed.content).walk("VEVENT"))
        assert [e.decoded("dtstart") for e in events] == [
            cafe_starts.astimezone(UTC),
            training_starts.astimezone(UTC),
        ]
        assert all(e.decoded("dtstart").tzinfo is not None for e in events)
        assert b"Z\r\n" in feed.content  # written in UTC
        assert [str(e["summary"]) for e in events] == [
            "Café élus/techniciens",
            "Formation : Sobriété énergétique des bâtiments communaux",
        ]
        assert str(events[1]["url"]).startswith(f"{site.url}/formations/")
        assert len({str(e["uid"]) for e in events}) == 2

    async with httpx.AsyncClient(base_url=site.url) as anonymous:
        signed_out = await anonymous.get("/espace/agenda.ics")
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/connexion"


async def open_signed_in_campaign(site: Site) -> str:
    """An intercommunality campaign (signed-in answers only, the default) opened by an
    operator on diagnosis's own API; its link token."""
    now = datetime.now(UTC)
    issuer = await Portal(site.settings).run(tokens.load_issuer)
    operator = Membership(
        uuid.uuid4(), uuid.uuid4(), demo.CRESTOIS, Role.OPERATOR, Status.VALIDATED, now
    )
    token = issuer.issue(operator.person_id, operator, "diagnosis", now)
    async with httpx.AsyncClient(base_url=site.settings.service_urls["diagnosis"]) as api:
        opened = await api.post(
            "/v1/campaigns",
            json={"team_kind": "intercommunality", "collectivite_siren": demo.CRESTOIS},
            headers={"authorization": f"Bearer {token}"},
        )
    assert opened.status_code == 201, opened.text
    campaign = opened.json()
    assert campaign["quiz_page"] == f"/espace/autodiagnostic?campagne={campaign['token']}"
    return str(campaign["token"])


async def test_she_answers_a_signed_in_campaign_in_her_space(site: Site, database_url: str) -> None:
    token = await open_signed_in_campaign(site)
    link = f"/espace/autodiagnostic?campagne={token}"
    async with site.person(ELUE) as elue:
        quiz = await elue.get(link)
        assert quiz.status_code == 200, quiz.text
        text = html.unescape(quiz.text)
        assert "Campagne :" in text and "ne compte que les réponses de personnes connectées" in text
        assert f'name="campagne" value="{token}"' in quiz.text
        communes = re.findall(r'<option value="(\d[\dAB]\d{3})"', quiz.text)
        assert communes, "an intercommunality asks for her commune"
        fields = {"csrf": [csrf(quiz)], "campagne": [token], **quiz_answers(2)}

        # No commune: diagnosis's French problem beside the form, nothing stored.
        missing = await elue.post("/espace/autodiagnostic", data=fields)
        assert missing.status_code == 422
        assert "Indiquez votre commune" in html.unescape(missing.text)
        assert await stored_people(database_url) == []

        posted = await elue.post(
            "/espace/autodiagnostic",
            data={**fields, "commune": [communes[0]], "partage": ["oui"]},
        )
        assert posted.status_code == 303, posted.text
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT person_id, commune_insee, shared, campaign_id IS NOT NULL AS in_campaign"
            " FROM diagnosis.responses"
        )
    finally:
        await conn.close()
    assert row is not None
    assert dict(row) == {
        "person_id": str(ELUE_ID),
        "commune_insee": communes[0],
        "shared": True,
        "in_campaign": True,
    }
    async with site.person(ELUE) as elue:
        unknown = await elue.get("/espace/autodiagnostic?campagne=pas-une-campagne")
        assert unknown.status_code == 404
        assert "Ce lien de campagne n'existe pas." in html.unescape(unknown.text)
