"""The public pages over HTTP, for both demo platforms, and the join page's scope."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg
import httpx
import pytest
from markupsafe import escape

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.portal import demo
from deformations_devtools.portal.platforms import AUVERGNE_RHONE_ALPES, ILE_DE_FRANCE
from deformations_devtools.portal.support import Portal, smtp_catcher
from deformations_devtools.testing import Infra, isolated_settings, running, wait_until
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings
from deformations_portal.web.public import SITE_MAP, load_report

PUBLIC_PAGES = {
    "/accessibilite": "Déclaration d'accessibilité",
    "/mentions-legales": "Mentions légales",
    "/donnees-personnelles": "Données personnelles et cookies",
    "/plan-du-site": "Plan du site",
    "/aide": "Aide",
    "/contact": "Contact",
}
PARIS = "217500016"


def settings_for(
    infra: Infra, database_url: str, namespace: str, platform: Path, **overrides: object
) -> PortalSettings:
    return isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        **{"smtp_port": 1, "platform_file": str(platform), **overrides},
    )


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@pytest.mark.parametrize(
    ("platform", "brand", "publisher", "primary", "region"),
    [
        (
            AUVERGNE_RHONE_ALPES,
            "Déformations Auvergne-Rhône-Alpes",
            "Association Déformations Auvergne-Rhône-Alpes (exemple)",
            "#1d4f91",
            "Auvergne-Rhône-Alpes",
        ),
        (
            ILE_DE_FRANCE,
            "Déformations Île-de-France",
            "Groupement Déformations Île-de-France (exemple)",
            "#6b2d7b",
            "Île-de-France",
        ),
    ],
)
async def test_both_demo_platforms_render_every_public_page(
    infra: Infra,
    database_url: str,
    namespace: str,
    platform: Path,
    brand: str,
    publisher: str,
    primary: str,
    region: str,
) -> None:
    settings = settings_for(infra, database_url, namespace, platform)
    async with running(create_app(definition(settings))) as client:
        css = await client.get("/plateforme.css")
        assert css.headers["content-type"].startswith("text/css")
        assert f"--vert: {primary};" in css.text
        for path, title in {"/": "Accueil", "/thematiques": "", **PUBLIC_PAGES}.items():
            page = await client.get(path)
            assert page.status_code == 200, path
            assert f'<a class="marque" href="/">{brand}</a>' in page.text, path
            if title:
                assert f"<title>{escape(title)} — {brand}</title>" in page.text, path
            for footer_link in PUBLIC_PAGES:
                assert f'href="{footer_link}"' in page.text, (path, footer_link)
            assert "Accessibilité : non conforme" in page.text
        home = (await client.get("/")).text
        assert f"<p>{brand} aide les élu·es" in home and "<p>Déformations aide" not in home
        legal = (await client.get("/mentions-legales")).text
        assert (
            str(escape(publisher)) in legal and "Directeur ou directrice de la publication" in legal
        )
        assert "Hébergeur public (exemple)" in legal and f"région {region}" in legal
        statement = (await client.get("/accessibilite")).text
        for part in (
            "État de conformité",
            "<strong>non conforme</strong>",
            "Résultats des tests",
            "axe-core",
            "Contenus non accessibles",
            "Établissement de cette déclaration",
            "Voies de recours",
            "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07",
        ):
            assert part in statement, part
        # The figures are the committed report's, which the browser test measures.
        report = load_report()
        assert report.pages and report.version != "0"
        assert f"Résultats d'axe-core {report.version} par page" in statement
        assert f"Sur les {len(report.pages)} pages publiques vérifiées" in statement
        for result in report.pages:
            row = (
                f'<tr><th scope="row"><a href="{result.path}">{escape(result.title)}</a></th>'
                f"<td>{result.critical}</td><td>{result.serious}</td><td>{result.moderate}</td>"
                f"<td>{result.minor}</td><td>{result.passes}</td></tr>"
            )
            assert row in statement, row
        privacy = (await client.get("/donnees-personnelles")).text
        assert "portal_session" in privacy and "portal_csrf" in privacy
        assert "Aucun cookie de mesure d'audience" in privacy
        assert "dpo@" in privacy and "Base légale" in privacy
        assert "lien de connexion envoyé par courriel : 15 minutes" in privacy
        assert "chaque service garde 90 jours" in privacy

        assert str(escape("Relais de messagerie de l'hébergeur")) in privacy
        helped = (await client.get("/aide")).text
        assert "Un autodiagnostic individuel et collectif" in helped
        assert f"région {region}" in helped


async def test_without_a_platform_file_the_pages_name_the_neutral_platform(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = isolated_settings(
        PortalSettings, infra, database_url, namespace, "portal", smtp_port=1
    )
    async with running(create_app(definition(settings))) as client:
        home = (await client.get("/")).text
    assert "<title>Accueil — Déformations</title>" in home
    assert "<p>Déformations aide les élu·es" in home


async def test_the_retention_published_is_the_configured_one(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(
        infra,
        database_url,
        namespace,
        AUVERGNE_RHONE_ALPES,
        erased_people_retention_days=45,
        sign_in_link_minutes=10,
        session_hours=8,
    )
    async with running(create_app(definition(settings))) as client:
        privacy = (await client.get("/donnees-personnelles")).text
    assert "Session de connexion : 8 heures au plus" in privacy
    assert "lien de connexion envoyé par courriel : 10 minutes" in privacy
    assert "chaque service garde 45 jours" in privacy


@pytest.mark.parametrize(
    ("platform", "brand", "contact"),
    [
        (AUVERGNE_RHONE_ALPES, "Déformations Auvergne-Rhône-Alpes", "contact@aura."),
        (ILE_DE_FRANCE, "Déformations Île-de-France", "contact@idf."),
    ],
)
async def test_the_sign_in_mail_speaks_for_the_platform(
    infra: Infra, database_url: str, namespace: str, platform: Path, brand: str, contact: str
) -> None:
    with smtp_catcher() as (inbox, smtp_port):
        settings = settings_for(infra, database_url, namespace, platform, smtp_port=smtp_port)
        async with running(create_app(definition(settings))) as client:
            form = await client.get("/connexion")
            await client.post(
                "/connexion/lien", data={"email": "elue@example.org", "csrf": csrf_of(form)}
            )
            await wait_until(lambda: inbox.to("elue@example.org"), what="the sign-in mail")
    [sent] = inbox.to("elue@example.org")
    assert sent["From"].addresses[0].display_name == brand
    assert sent["From"].addresses[0].addr_spec == "ne-pas-repondre@deformations.example.org"
    assert sent["Subject"] == f"Votre lien de connexion à {brand}"
    body = sent.get_content()
    assert f"Pour vous connecter à la plateforme {brand}, ouvrez ce lien" in body
    assert body.rstrip().splitlines()[-2:][0] == brand
    assert f"Contact : {contact}" in body


async def test_the_site_map_lists_the_pages_the_site_serves(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(infra, database_url, namespace, AUVERGNE_RHONE_ALPES)
    async with running(create_app(definition(settings))) as client:
        text = (await client.get("/plan-du-site")).text
        body = text.split("<h1>Plan du site</h1>")[1].split("</main>")[0]
        listed = re.findall(r'<li><a href="(/[^"]*)"', body)
        for entry in SITE_MAP:
            assert entry.path in listed, entry.path
            reached = await client.get(entry.path)
            # Pages for signed-in people send the others to the sign-in page.
            assert reached.status_code in (200, 303), entry.path
        assert "/thematiques/11" in listed


async def test_the_join_page_offers_only_the_region_but_an_operator_may_go_outside(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(
        infra, database_url, namespace, AUVERGNE_RHONE_ALPES, environment=Environment.DEV
    )
    async with running(create_app(definition(settings))) as client:
        await Portal(settings).run(demo.create_accounts)
        dev = await client.get("/connexion/dev")
        await client.post(
            "/connexion/dev", data={"email": demo.ACCOUNTS[0].email, "csrf": csrf_of(dev)}
        )
        outside = await client.get("/adhesions/rejoindre", params={"q": "75056"})
        assert "Aucune collectivité ne correspond à « 75056 »" in outside.text
        by_name = await client.get("/adhesions/rejoindre", params={"q": "Paris"})
        assert "Pariset" in by_name.text and PARIS not in by_name.text
        inside = await client.get("/adhesions/rejoindre", params={"q": "26108"})
        assert 'value="212601082"' in inside.text
        conn = await asyncpg.connect(database_url)
        try:
            before = await conn.fetchval("SELECT count(*) FROM portal.memberships")
            refused = await client.post(
                "/adhesions/rejoindre",
                data={"siren": PARIS, "role": "elected", "csrf": csrf_of(inside)},
            )
            assert refused.status_code == 403
            assert "accueille les collectivités de la région Auvergne-Rhône-Alpes" in refused.text
            assert await conn.fetchval("SELECT count(*) FROM portal.memberships") == before
        finally:
            await conn.close()
        await client.post("/deconnexion", data={"csrf": csrf_of(inside)})
        dev = await client.get("/connexion/dev")
        await client.post(
            "/connexion/dev", data={"email": demo.ACCOUNTS[5].email, "csrf": csrf_of(dev)}
        )
        operator = await client.get("/adhesions/rejoindre", params={"q": "75056"})
        assert f'value="{PARIS}"' in operator.text
