"""An address given for notifications is used once proven, over HTTP on the real
database, a real SMTP catcher and notifications faked at the HTTP boundary."""

import re
from contextlib import ExitStack

import httpx

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.portal import demo
from deformations_devtools.portal.fakes import FakeServices
from deformations_devtools.portal.support import Portal, smtp_catcher
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings

ELUE = demo.ACCOUNTS[0].email
NEW = "elue.perso@example.org"


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def form(csrf: str, email: str) -> dict[str, str]:
    return {"csrf": csrf, "email": email, "frequency": "daily", "consent": "oui"}


async def test_a_new_address_is_used_once_its_link_is_followed(
    infra: Infra, database_url: str, namespace: str
) -> None:
    with ExitStack() as stack:
        inbox, smtp_port = stack.enter_context(smtp_catcher())
        settings = isolated_settings(
            PortalSettings,
            infra,
            database_url,
            namespace,
            "portal",
            smtp_port=smtp_port,
            environment=Environment.DEV,
        )
        fakes = FakeServices()
        app = create_app(definition(settings))
        async with running(app) as client:
            app.state.clients._http = httpx.AsyncClient(transport=fakes.transport())
            await Portal(settings).run(demo.create_accounts)
            signin = await client.get("/connexion/dev")
            await client.post("/connexion/dev", data={"email": ELUE, "csrf": csrf_of(signin)})
            page = await client.get("/preferences")

            # Her sign-in address: registered at once, nothing to check.
            saved = await client.post("/preferences", data=form(csrf_of(page), ELUE))
            assert saved.headers["location"] == "/preferences?notice=enregistre"
            assert fakes.recipient is not None and fakes.recipient["email"] == ELUE
            assert inbox.to(ELUE) == []

            # A new address: the proven one stays in use, a link goes to the new one.
            asked = await client.post("/preferences", data=form(csrf_of(page), NEW))
            assert asked.headers["location"] == "/preferences?notice=verifier"
            assert fakes.recipient["email"] == ELUE
            told = await client.get(asked.headers["location"])
            assert "Un lien vient d&#39;être envoyé à la nouvelle adresse" in told.text
            [sent] = inbox.to(NEW)
            link = re.search(r"https?://\S+/preferences/adresse\?jeton=\S+", sent.get_content())
            assert link, sent.get_content()
            path = link.group(0).split("://", 1)[1].split("/", 1)[1]

            # Opening the link changes nothing; its button confirms, once.
            opened = await client.get("/" + path)
            assert opened.status_code == 200 and "Confirmer cette adresse" in opened.text
            assert fakes.recipient["email"] == ELUE
            secret = path.split("jeton=", 1)[1]
            refused = await client.post("/preferences/adresse", data={"jeton": secret})
            assert refused.status_code == 403 and fakes.recipient["email"] == ELUE
            done = await client.post(
                "/preferences/adresse", data={"jeton": secret, "csrf": csrf_of(opened)}
            )
            assert done.headers["location"] == "/preferences?notice=adresse-confirmee"
            assert fakes.recipient["email"] == NEW
            assert fakes.recipient["digest"] == {"frequency": "daily"}
            again = await client.post(
                "/preferences/adresse", data={"jeton": secret, "csrf": csrf_of(opened)}
            )
            assert again.status_code == 410 and "déjà servi" in again.text

            # A bad address: a French message, nothing registered, nothing mailed.
            before = len(inbox.messages)
            bad = await client.post("/preferences", data=form(csrf_of(page), "pas-une-adresse"))
            assert bad.status_code == 422 and "adresse électronique valide" in bad.text
            assert fakes.recipient["email"] == NEW and len(inbox.messages) == before
