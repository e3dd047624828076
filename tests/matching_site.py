"""The portal and the real matching service on real ports, for the meeting pages' tests.

Matching verifies the portal's tokens against its JWKS, as deployed, and runs on a
ManualClock (an evening can end); the portal keeps real time so its tokens stay valid.
Besides the demo accounts, two more élues (one of Crest, one of Aouste) make a peer group
of four possible."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from browser import serving
from fastapi import FastAPI

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    free_port,
    isolated_settings,
)
from deformations_matching.app import definition as matching_definition
from deformations_matching.settings import MatchingSettings
from deformations_portal.app import definition as portal_definition
from deformations_portal.repositories.people import Identity
from deformations_portal.service import memberships, people
from deformations_portal.settings import PortalSettings

ELUE = "elue@crest.demo.deformations.fr"
ELU = "elu@aouste.demo.deformations.fr"
RH = "rh@crest.demo.deformations.fr"
AGENT = "agent@crest.demo.deformations.fr"
OPERATOR = "operateur@demo.deformations.fr"
# Two more élus, so that four answer one theme.
MORE = (
    ("adjointe@crest.demo.deformations.fr", demo.CREST),
    ("maire@aouste.demo.deformations.fr", demo.AOUSTE),
)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


async def add_elected(uow: Any) -> None:
    """The two more élus, validated by the demo operator."""
    operator = await uow.persons.identity(people.EMAIL_ISSUER, OPERATOR)
    for email, siren in MORE:
        person_id = uuid.uuid4()
        await uow.persons.add(person_id, uow.now())
        await uow.persons.save_identity(
            Identity(people.EMAIL_ISSUER, email, person_id, email, None, None), uow.now()
        )
        asked = await memberships.request_join(uow, person_id, siren, "elected")
        await memberships.decide(uow, operator.person_id, asked.membership_id, accept=True)


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


PROBLEM = "Nos écoles chauffent mal et coûtent cher : par où commencer la sobriété ?"


async def post_call(client: httpx.AsyncClient, **fields: str | list[str]) -> httpx.Response:
    form = await client.get("/pairs/nouveau", params={"appel": str(fields.get("appel", ""))})
    data: dict[str, str | list[str]] = {
        "csrf": csrf(form),
        "theme": "energie",
        "probleme": PROBLEM,
        "creneau": ["evening", "lunch"],
        "modalite": "either",
    }
    data.update(fields)
    return await client.post("/pairs/appels", data=data)


@dataclass
class Site:
    url: str
    clock: ManualClock  # matching's
    matching: FastAPI

    @asynccontextmanager
    async def person(self, email: str) -> AsyncIterator[httpx.AsyncClient]:
        """A browser-like client signed in as a demo account (dev sign-in)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            page = await client.get("/connexion/dev")
            signed = await client.post("/connexion/dev", data={"email": email, "csrf": csrf(page)})
            assert signed.status_code == 303, signed.text
            yield client


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    portal_port, matching_port = free_port(), free_port()
    url = f"http://127.0.0.1:{portal_port}"
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        http_port=portal_port,
        public_url=url,
        app_url=url,
        smtp_port=1,
        environment=Environment.DEV,
        service_urls={"matching": f"http://127.0.0.1:{matching_port}"},
    )
    matching_settings = isolated_settings(
        MatchingSettings,
        infra,
        database_url,
        namespace,
        "matching",
        http_port=matching_port,
        jwt_jwks_url=f"{url}/.well-known/jwks.json",
        jwt_issuer=settings.issuer,
        jwt_audience="matching",
        rematch_interval_s=0,
    )
    portal_app = create_app(portal_definition(settings))
    matching_app = create_app(matching_definition(matching_settings, clock=clock))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(serving(portal_app, portal_port, "portal"))
        await stack.enter_async_context(serving(matching_app, matching_port, "matching"))
        await Portal(settings).run(demo.create_accounts)
        await Portal(settings).run(add_elected)
        try:
            yield Site(url, clock, matching_app)
        finally:
            for app, s in ((portal_app, settings), (matching_app, matching_settings)):
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                await delete_broker_objects(infra.amqp_url, s, subscriptions)
