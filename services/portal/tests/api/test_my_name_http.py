"""« Mon nom » over HTTP on the real database: asked after a first sign-in by e-mail link,
set, changed, refused in French without change, forgotten with the account."""

import html
import re

import asyncpg
import httpx

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_portal.app import definition
from deformations_portal.service import people
from deformations_portal.settings import PortalSettings

INVITATION = "Comment vous appeler ?"


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def seen(page: httpx.Response) -> str:
    return html.unescape(page.text)


async def stored_names(database_url: str) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT n.given_name, n.usual_name FROM portal.person_names n"
            " JOIN portal.login_identities i USING (person_id) WHERE i.subject = $1",
            "lea@crest.fr",
        )
    finally:
        await conn.close()
    return [(r["given_name"], r["usual_name"]) for r in rows]


async def test_a_person_signed_in_by_link_is_asked_her_name_and_gives_it(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        smtp_port=1,
        environment=Environment.DEV,
    )
    async with running(create_app(definition(settings))) as client:
        assert (await client.get("/compte/nom")).headers["location"] == "/connexion"
        link = await Portal(settings).run(people.request_link, "lea@crest.fr", "10.0.0.9")
        page = await client.get(f"/connexion/lien?jeton={link.secret}")
        signed = await client.post(
            "/connexion/lien/valider", data={"jeton": link.secret, "csrf": csrf_of(page)}
        )
        assert signed.status_code == 303
        space = await client.get("/espace")
        # Asked, never blocked: the rest of her space is there too.
        assert INVITATION in seen(space) and 'href="/compte/nom"' in space.text
        assert "Mes prochaines étapes" in seen(space)
        form = await client.get("/compte/nom")
        assert "vous apparaissez comme « membre »" in seen(form)

        refused = await client.post(
            "/compte/nom", data={"prenom": "Léa", "nom": "Roux", "csrf": "forged"}
        )
        assert refused.status_code == 403 and await stored_names(database_url) == []
        saved = await client.post(
            "/compte/nom", data={"prenom": "  Léa ", "nom": "Roux", "csrf": csrf_of(form)}
        )
        assert saved.status_code == 303
        done = await client.get(saved.headers["location"])
        assert "Votre nom est enregistré" in seen(done) and "<strong>Léa Roux</strong>" in done.text
        assert await stored_names(database_url) == [("Léa", "Roux")]
        assert INVITATION not in seen(await client.get("/espace"))
        assert "Léa Roux" in seen(await client.get("/compte"))

        for prenom, nom, message in (
            ("", "Roux", "Indiquez votre prénom"),
            ("Léa\x07", "Roux", "caractère invisible ou de contrôle"),
            ("Léa", "R" * 61, "60 caractères au plus"),
        ):
            bad = await client.post(
                "/compte/nom", data={"prenom": prenom, "nom": nom, "csrf": csrf_of(form)}
            )
            assert bad.status_code == 422 and message in seen(bad)
            assert 'value="Roux"' in bad.text or nom != "Roux"  # kept to be corrected
            assert await stored_names(database_url) == [("Léa", "Roux")]

        changed = await client.post(
            "/compte/nom", data={"prenom": "Léa", "nom": "Roux-Faure", "csrf": csrf_of(form)}
        )
        assert changed.status_code == 303
        assert await stored_names(database_url) == [("Léa", "Roux-Faure")]
        cleared = await client.post(
            "/compte/nom", data={"prenom": " ", "nom": "", "csrf": csrf_of(form)}
        )
        assert "Votre nom est effacé" in seen(await client.get(cleared.headers["location"]))
        assert await stored_names(database_url) == []
        assert INVITATION in seen(await client.get("/espace"))

        await client.post("/compte/nom", data={"prenom": "Léa", "nom": "", "csrf": csrf_of(form)})
        assert await stored_names(database_url) == [("Léa", "")]
        confirm = await client.get("/compte/supprimer")
        erased = await client.post(
            "/compte/supprimer", data={"csrf": csrf_of(confirm), "confirmation": "oui"}
        )
        assert erased.status_code == 200
    conn = await asyncpg.connect(database_url)
    try:
        left = await conn.fetchval(
            "SELECT count(*) FROM portal.person_names n JOIN portal.persons p USING (person_id)"
            " WHERE p.erased_at IS NOT NULL AND n.given_name = 'Léa'"
        )
    finally:
        await conn.close()
    assert left == 0
