"""The quiz's « prochain pas » leads to real training offers that fit it: its format, her
first priority theme and the time she has each month; on her result page when signed in,
on ``/formations/prochain-pas`` for anyone (the anonymous result links there). A failing
training service leaves the step without offers, never an error page."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from my_space_support import (
    ELUE,
    TRAINER,
    UUID,
    Site,
    csrf,
    my_space_site,
    quiz_answers,
    register_body,
)
from test_portal_training import offer_form, publish

from deformations_common.vocabulary.french import as_paris
from deformations_devtools.testing import Infra

pytestmark = pytest.mark.integration

# Seed 2 of the synthetic quiz: next step « groupe d'entraide » (no training format: any
# format will do), first priority theme « energie », 150 minutes a month.
SEED = 2
SHORT = "Sobriété énergétique des bâtiments communaux"  # energie, evening, 2 h
LONG = "Rénover les écoles : un premier module"  # energie, half-day, 3 h
ELSEWHERE = "L'eau potable en régie"  # eau, evening, 2 h


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    async with my_space_site(infra, database_url, namespace) as site:
        await register_body(site)
        day = as_paris(datetime.now(UTC)) + timedelta(days=10)
        async with site.person(TRAINER) as trainer:
            common = {"capacite": "10", "palier1_taille": ""}
            for form in (
                offer_form(day, title=SHORT, duree="2", seance1_fin="20:00", **common),
                offer_form(
                    day,
                    title=LONG,
                    format="half_day",
                    seance1_debut="09:00",
                    seance1_fin="12:00",
                    **common,
                ),
                offer_form(
                    day, title=ELSEWHERE, theme="eau", duree="2", seance1_fin="20:00", **common
                ),
            ):
                published = await publish(trainer, form)
                assert published.status_code == 303, published.text
        yield site


def titles(page: httpx.Response) -> list[str]:
    return [
        html.unescape(t)
        for t in re.findall(r'<h3><a href="/formations/[^"]+">([^<]+)</a>', page.text)
    ]


async def test_anyone_sees_the_open_offers_of_a_next_step(site: Site) -> None:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as anonymous:
        # A half-day step on energie with a full day a month: the half-day first.
        page = await anonymous.get(
            "/formations/prochain-pas",
            params={"pas": "cycle_a_la_carte", "theme": "energie", "temps": "480"},
        )
        assert page.status_code == 200
        assert titles(page) == [LONG, SHORT]
        assert "Connectez-vous" in page.text
        # Two and a half hours a month: the three-hour module does not fit.
        page = await anonymous.get(
            "/formations/prochain-pas",
            params={"pas": "cycle_a_la_carte", "theme": "energie", "temps": "150"},
        )
        assert titles(page) == [SHORT]
        # What it does not understand is left out, never an error.
        page = await anonymous.get(
            "/formations/prochain-pas", params={"pas": "?", "theme": "astrologie", "temps": "x"}
        )
        assert page.status_code == 200 and len(titles(page)) == 3


async def test_her_result_shows_the_offers_fitting_her_next_step(site: Site) -> None:
    async with site.person(ELUE) as elue:
        quiz = await elue.get("/espace/autodiagnostic")
        fields = {"csrf": [csrf(quiz)], **quiz_answers(SEED)}
        done = await elue.post("/espace/autodiagnostic", data=fields)
        assert done.status_code == 303, done.text
        result = await elue.get(done.headers["location"])
        assert result.status_code == 200
        assert "Des formations pour ce prochain pas" in result.text
        assert titles(result) == [SHORT]
        offer_id = re.findall(rf'href="/formations/({UUID})"', result.text)[0]
        assert SHORT in (await elue.get(f"/formations/{offer_id}")).text

        # The search form's « fits my time » is the same filter.
        fits = await elue.get("/formations", params={"theme": "energie", "temps": "180"})
        assert sorted(titles(fits)) == sorted([SHORT, LONG])
        short = await elue.get("/formations", params={"theme": "energie", "temps": "60"})
        assert titles(short) == []
        bad = await elue.get("/formations", params={"temps": "12345"})
        assert bad.status_code == 422 and "le temps dont vous disposez" in bad.text

        # Training down: the step stays, without offers, and the page is not an error.
        urls = site.settings.service_urls
        working, urls["training"] = urls["training"], "http://127.0.0.1:1"
        try:
            down = await elue.get(done.headers["location"])
        finally:
            urls["training"] = working
        assert down.status_code == 200
        assert "Votre prochain pas" in down.text and titles(down) == []
        assert "Aucune formation ouverte ne correspond" in down.text
