"""The operators' back-office over HTTP on the real database: who gets in, the queue,
decisions with their reason, revocation, collectivités, the journal, dead letters."""

import re
import uuid
from typing import Any

import httpx

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Inbox, Portal, smtp_catcher
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_portal.app import definition
from deformations_portal.service import memberships, people
from deformations_portal.service.people import Claims
from deformations_portal.settings import PortalSettings

OPERATOR = "operateur@demo.deformations.fr"
RH = "rh@crest.demo.deformations.fr"


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    client.cookies.clear()
    page = await client.get("/connexion/dev")
    done = await client.post("/connexion/dev", data={"email": email, "csrf": csrf_of(page)})
    assert done.status_code == 303


async def ask_to_join(settings: PortalSettings, email: str, siren: str, role: str) -> str:
    async def use_case(uow: Any) -> str:
        person = await people.person_for(
            uow, Claims("email", email, email=email, given_name="Lucie", usual_name="Requérante")
        )
        return str((await memberships.request_join(uow, person, siren, role)).membership_id)

    result: str = await Portal(settings).run(use_case)
    return result


def settings_for(infra: Infra, database_url: str, namespace: str, **more: Any) -> PortalSettings:
    return isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        **{"smtp_port": 1, "environment": Environment.DEV, **more},
    )


async def test_only_operators_get_in(infra: Infra, database_url: str, namespace: str) -> None:
    settings = settings_for(infra, database_url, namespace)
    async with running(create_app(definition(settings))) as client:
        await Portal(settings).run(demo.create_accounts)
        out = await client.get("/operateur")
        assert out.status_code == 303 and out.headers["location"] == "/connexion"
        await sign_in(client, RH)
        for path in (
            "/operateur",
            "/operateur/journal",
            "/operateur/lettres-mortes",
            "/operateur/moderation",
            "/operateur/envois",
        ):
            refused = await client.get(path)
            assert refused.status_code == 403 and "réservée aux opérateurs" in refused.text
        assert 'href="/operateur"' not in (await client.get("/espace")).text
        page = await client.get("/compte")
        posted = await client.post(
            "/operateur/decider",
            data={"adhesion": str(uuid.uuid4()), "decision": "accepter", "csrf": csrf_of(page)},
        )
        assert posted.status_code == 403
        for action, data in (
            ("/operateur/moderation", {"service": "matching", "kind": "peer_call"}),
            ("/operateur/moderation/signalements", {"action": "classer"}),
            ("/operateur/envois", {"kind": "courriel"}),
        ):
            nothing = await client.post(
                action,
                data={**data, "action": data.get("action", "masquer"), "csrf": csrf_of(page)},
            )
            assert nothing.status_code == 403 and "réservée aux opérateurs" in nothing.text


async def test_an_operator_decides_revokes_and_reads_the_journal(
    infra: Infra, database_url: str, namespace: str
) -> None:
    with smtp_catcher() as (inbox, smtp_port):
        settings = settings_for(
            infra, database_url, namespace, service_urls={}, smtp_port=smtp_port
        )
        await _decides_revokes_and_reads_the_journal(settings, inbox)


async def _decides_revokes_and_reads_the_journal(settings: PortalSettings, inbox: Inbox) -> None:
    async with running(create_app(definition(settings))) as client:
        await Portal(settings).run(demo.create_accounts)
        first = await ask_to_join(settings, "lucie@crest.fr", demo.CREST, "agent")
        second = await ask_to_join(settings, "marc@aouste.fr", demo.AOUSTE, "elected")
        await sign_in(client, OPERATOR)
        home = await client.get("/operateur")
        assert home.status_code == 200 and "Demandes en attente (2)" in home.text
        assert 'href="/operateur" aria-current="page">Opérateur' in home.text
        assert home.text.index(first) < home.text.index(second)  # oldest first
        csrf = csrf_of(home)

        # Refusing without a reason: a French message, nothing decided.
        refused = await client.post(
            "/operateur/decider", data={"adhesion": second, "decision": "refuser", "csrf": csrf}
        )
        assert refused.status_code == 422 and "Indiquez le motif" in refused.text
        without_csrf = await client.post(
            "/operateur/decider", data={"adhesion": first, "decision": "accepter"}
        )
        assert without_csrf.status_code == 403
        assert "Demandes en attente (2)" in (await client.get("/operateur")).text

        accepted = await client.post(
            "/operateur/decider", data={"adhesion": first, "decision": "accepter", "csrf": csrf}
        )
        assert accepted.status_code == 303
        assert accepted.headers["location"] == "/operateur?notice=accepte"
        done = await client.post(
            "/operateur/decider",
            data={"adhesion": second, "decision": "refuser", "motif": "Pas élu", "csrf": csrf},
        )
        assert done.status_code == 303
        # The refused person reads the operator's reason in the decision mail.
        [told] = inbox.to("marc@aouste.fr")
        assert "n'a pas été acceptée" in told.get_content()
        assert "Motif : Pas élu" in told.get_content()
        assert "Motif" not in inbox.to("lucie@crest.fr")[-1].get_content()
        again = await client.post(
            "/operateur/decider", data={"adhesion": first, "decision": "accepter", "csrf": csrf}
        )
        assert again.status_code == 409 and "plus en attente" in again.text
        assert "Aucune demande en attente." in (await client.get("/operateur")).text

        # Search, then revoke with a reason.
        short = await client.get("/operateur", params={"q": "l"})
        assert short.status_code == 422 and "au moins 2 caractères" in short.text
        found = await client.get("/operateur", params={"q": "requérante"})
        assert "Lucie Requérante" in found.text and "lucie@crest.fr" in found.text
        assert "adhésion (Crest, agent" in found.text
        revoked = await client.post(
            "/operateur/retirer",
            data={"adhesion": first, "motif": "Départ de la mairie", "q": "lucie", "csrf": csrf},
        )
        assert revoked.status_code == 303 and "notice=retire" in revoked.headers["location"]
        assert "retirée" in (await client.get("/operateur", params={"q": "lucie"})).text

        places = await client.get("/operateur/collectivites")
        assert places.status_code == 200 and "Crest" in places.text
        crest = await client.get("/operateur/collectivites", params={"q": demo.CREST})
        assert "Membres validés</dt><dd>3</dd>" in crest.text  # élue, RH, agent
        assert "Référents</dt><dd>Sophie Martin (ressources humaines)" in crest.text

        journal = await client.get("/operateur/journal")
        # The demo's five acceptances, then these three decisions.
        assert "8 décisions" in journal.text
        assert "adhésion acceptée" in journal.text and "Motif : Pas élu" in journal.text
        assert "Motif : Départ de la mairie" in journal.text
        refusals = await client.get("/operateur/journal", params={"action": "membership.refused"})
        assert "1 décision " in refusals.text and "adhésion acceptée</strong>" not in refusals.text
        by_siren = await client.get("/operateur/journal", params={"siren": demo.AOUSTE})
        assert "2 décisions" in by_siren.text and "Motif : Pas élu" in by_siren.text
        bad = await client.get("/operateur/journal", params={"siren": "12"})
        assert bad.status_code == 422 and "9 chiffres" in bad.text


async def test_the_dead_letters_page_names_each_service(
    infra: Infra, database_url: str, namespace: str
) -> None:
    # A service that does not answer is shown as such; the portal's own queue is read.
    settings = settings_for(
        infra, database_url, namespace, service_urls={"lending": "http://127.0.0.1:9"}
    )
    async with running(create_app(definition(settings))) as client:
        await Portal(settings).run(demo.create_accounts)
        await sign_in(client, OPERATOR)
        page = await client.get("/operateur/lettres-mortes")
        assert page.status_code == 200
        assert "portal : 0 lettre morte" in page.text
        assert "lending : indisponible" in page.text and "Le service lending" in page.text
        nothing = await client.post(
            "/operateur/lettres-mortes",
            data={
                "service": "inconnu",
                "message": "x",
                "action": "relancer",
                "csrf": csrf_of(page),
            },
        )
        assert nothing.status_code == 422 and "pas connu du portail" in nothing.text
