"""The French pages, posted as a browser without JavaScript would, on the real service."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from platform_harness import Platform, RunningService

from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.loader import load_questionnaire

pytestmark = pytest.mark.integration


def hidden(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


async def fill_quiz(
    client: httpx.AsyncClient, start: str, seed: int, *, share: bool = False
) -> httpx.Response:
    """Answer every page in turn; returns the response to the last post."""
    q = load_questionnaire()
    _, submission = synthetic_submissions(q, 1, seed=seed)[0]
    page = await client.get(start)
    assert page.status_code == 200
    action = start.split("?")[0]
    carried: dict[str, Any] = {
        "questionnaire_version": q.version,
        "submission_id": hidden(page.text, "submission_id"),
    }
    if commune := hidden(page.text, "commune"):
        carried["commune"] = commune
    response = page
    for index, section in enumerate(q.sections):
        for item in section.items:
            carried[item] = list(submission.answers[item])
        form = {**carried, "page": str(index), "nav": "next"}
        if share and index == len(q.sections) - 1:
            form["partage"] = "oui"
        response = await client.post(action, data=form)
        if index < len(q.sections) - 1:
            assert response.status_code == 200, response.text
            assert f"Étape {index + 2} sur {len(q.sections)}" in response.text
    return response


async def test_the_quiz_leads_to_a_result_page_with_a_radar(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    done = await fill_quiz(diagnosis.client, "/quiz", seed=4)
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.startswith("/resultats/")
    page = await diagnosis.client.get(location)
    assert page.status_code == 200
    assert "Votre famille" in page.text
    assert 'class="chart radar"' in page.text
    assert '<html lang="fr">' in page.text
    # Its next step links the booklet's recipe, a page of the portal at the same address;
    # the booklet is cited by its title, not taken for the platform's name.
    assert re.search(
        r"Recette du cahier « \(Dé\)formations — élus/élues en transition » : "
        r'<a href="/recettes/t\d\d_',
        page.text,
    )
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses") == 1


async def test_a_page_with_a_missing_answer_is_shown_again_with_the_problem(
    platform: Platform,
) -> None:
    diagnosis = await platform.start("diagnosis")
    q = load_questionnaire()
    response = await diagnosis.client.post(
        "/quiz", data={"questionnaire_version": q.version, "page": "0", "nav": "next"}
    )
    assert response.status_code == 422
    assert "Quelques réponses sont à revoir" in response.text
    assert "Étape 1 sur" in response.text
    tampered = await diagnosis.client.post(
        "/quiz",
        data={"questionnaire_version": q.version, "page": "0", "mandat": ["x" * 500] * 40},
    )
    assert tampered.status_code == 422
    # Skipping straight to the last page is caught too: nothing is stored.
    last = await diagnosis.client.post(
        "/quiz",
        data={"questionnaire_version": q.version, "page": str(len(q.sections) - 1), "nav": "next"},
    )
    assert last.status_code == 422
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses") == 0


async def test_posting_the_last_page_twice_shows_the_stored_result(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    q = load_questionnaire()
    _, submission = synthetic_submissions(q, 1, seed=9)[0]
    form: dict[str, Any] = {
        "questionnaire_version": q.version,
        "submission_id": "3f2c1a9e-0000-4000-8000-000000000001",
        "page": str(len(q.sections) - 1),
        "nav": "next",
        **{k: list(v) for k, v in submission.answers.items()},
    }
    first = await diagnosis.client.post("/quiz", data=form)
    again = await diagnosis.client.post("/quiz", data=form)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses") == 1


async def open_campaign(diagnosis: RunningService, **team: Any) -> dict[str, Any]:
    team.setdefault("signed_in_only", False)
    response = await diagnosis.client.post(
        "/v1/campaigns", json=team, headers=diagnosis.auth("op", roles=("operator",))
    )
    assert response.status_code == 201, response.text
    campaign: dict[str, Any] = response.json()
    return campaign


async def test_a_campaign_collective_page_fills_from_consenting_respondents(
    platform: Platform,
) -> None:
    diagnosis = await platform.start("diagnosis")
    campaign = await open_campaign(
        diagnosis, team_kind="intercommunality", collectivite_siren="200040293"
    )
    start = campaign["quiz_page"]
    chooser = await diagnosis.client.get(start)
    assert "Votre commune" in chooser.text and "Taizé" in chooser.text
    collective = campaign["collective_page"]
    empty = await diagnosis.client.get(collective)
    assert "Il en manque encore 3" in empty.text

    for _ in range(3):
        # Three alike: their family (3 people) is shown, and Cluny's most present one.
        done = await fill_quiz(diagnosis.client, f"{start}?commune=71137", 2, share=True)
        assert done.status_code == 303
    mine = await diagnosis.client.get(done.headers["location"])
    assert "Votre résultat compte dans le résultat collectif de « CC du Clunisois »" in mine.text
    assert collective in mine.text
    await fill_quiz(diagnosis.client, f"{start}?commune=71532", 5, share=False)
    page = await diagnosis.client.get(collective)
    assert page.status_code == 200
    assert "3 réponses partagées avec le groupe" in page.text
    assert 'class="chart bars"' in page.text
    assert "Cluny" in page.text  # a commune with 3 shared responses is shown on its own
    assert "Taizé" not in page.text


async def test_unknown_and_expired_campaign_links_say_so_in_french(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    unknown = await diagnosis.client.get("/c/pas-une-campagne")
    assert unknown.status_code == 404
    assert "Lien introuvable" in unknown.text
    campaign = await open_campaign(
        diagnosis, team_kind="municipal_council", collectivite_siren="217101377"
    )
    await diagnosis.client.post(
        f"/v1/campaigns/{campaign['id']}/close", headers=diagnosis.auth("op", roles=("operator",))
    )
    expired = await diagnosis.client.get(campaign["quiz_page"])
    assert expired.status_code == 410
    assert "Campagne terminée" in expired.text
    posted = await diagnosis.client.post(campaign["quiz_page"], data={"page": "0"})
    assert posted.status_code == 410
    # The collective page stays readable for the session after the campaign.
    assert (await diagnosis.client.get(campaign["collective_page"])).status_code == 200
