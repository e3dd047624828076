"""The mail lending's ``loan.action_requested.v1`` gives rise to, opened on the portal: its
button readies the asked action for the person it was sent to, and for nobody else.

Notifications composes the mail (its own copy of ``LINK_SIGNING_KEY``, the dev default on
both sides here); the portal, run for real on the database with lending faked at the HTTP
boundary, verifies the link when the person signs in and opens it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import httpx

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_contracts.events.lending import (
    ActingRole,
    LoanAction,
    LoanActionRequested,
    LoanParty,
)
from deformations_devtools.people import person_id
from deformations_devtools.portal import demo
from deformations_devtools.portal.fakes import FakeServices
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_notifications.domain.preferences import RecipientPreferences
from deformations_notifications.rendering.compose import Composer
from deformations_notifications.settings import NotificationsSettings
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings

SITE = "https://deformations.example.org"


def mailed_link(fakes: FakeServices, person: str) -> str:
    """The button of the mail sent to ``person``, as a path on the portal."""
    event = LoanActionRequested(
        loan_id=fakes.loan_id,
        offer_id=uuid4(),
        lender_siren=demo.CREST,
        borrower_siren=demo.AOUSTE,
        agent_role="Chargée de mission énergie",
        theme="energie",
        half_days_agreed=4,
        action=LoanAction.APPROVE,
        party=LoanParty.LENDER,
        collectivite_siren=demo.CREST,
        roles=[ActingRole.ELECTED, ActingRole.HR],
        requested_at=datetime.now(UTC),
    )
    row: dict[str, Any] = {
        "id": uuid4(),
        "event_type": event.routing_key,
        "template": "loan.action_requested",
        "payload": event.model_dump(mode="json"),
    }
    composer = Composer(NotificationsSettings(environment=Environment.DEV, app_url=SITE))
    mail = composer.single(row, RecipientPreferences(person, "x@example.org"), datetime.now(UTC))
    text = mail.get_body(("plain",))
    assert text is not None
    found = re.search(r"Voir et confirmer : (\S+)", text.get_content())
    assert found is not None, text.get_content()
    url = urlsplit(found.group(1))
    assert f"{url.scheme}://{url.netloc}" == SITE
    return f"{url.path}?{url.query}"


async def test_the_mailed_link_readies_the_approval_for_its_recipient_only(
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
    fakes = FakeServices()
    hr = demo.ACCOUNTS[2]
    assert hr.role == "hr"
    for_hr = mailed_link(fakes, str(person_id("rh-crest")))
    for_someone_else = mailed_link(fakes, str(person_id("elue-crest")))
    app = create_app(definition(settings))
    async with running(app) as client:
        app.state.clients._http = httpx.AsyncClient(transport=fakes.transport())
        await Portal(settings).run(demo.create_accounts)
        assert (await client.get(for_hr)).headers["location"] == "/connexion"
        signin = await client.get("/connexion/dev")
        csrf = re.search(r'name="csrf" value="([^"]+)"', signin.text)
        assert csrf is not None
        signed = await client.post("/connexion/dev", data={"email": hr.email, "csrf": csrf[1]})
        assert signed.headers["location"] == for_hr

        ready = await client.get(for_hr)
        assert ready.status_code == 200, ready.text
        assert "Vous êtes invité·e à approuver ce prêt" in ready.text

        other = await client.get(for_someone_else)
        assert other.status_code == 200, other.text
        assert "Ce lien a expiré ou n&#39;est pas valable pour vous" in other.text
        assert "Vous êtes invité·e" not in other.text
