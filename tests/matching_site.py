"""The portal and the real matching service on real ports, for the meeting pages' tests.

Matching verifies the portal's tokens against its JWKS, as deployed, and runs on a
ManualClock (an evening can end); the portal keeps real time so its tokens stay valid.
Besides the demo accounts, two more élues (one of Crest, one of Aouste) make a peer group
of four possible."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from browser import serving
from fastapi import FastAPI
from portal_pair import pair_settings

from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.people import person_id as demo_person
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    wait_until,
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
TRAINER = "formatrice@demo.deformations.fr"
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
        person_id = person_of(email)
        await uow.persons.add(person_id, uow.now())
        await uow.persons.save_identity(
            Identity(people.EMAIL_ISSUER, email, person_id, email, None, None, True), uow.now()
        )
        asked = await memberships.request_join(uow, person_id, siren, "elected")
        await memberships.decide(uow, operator.person_id, asked.membership_id, accept=True)


def person_of(email: str) -> uuid.UUID:
    """The person id of an account of these tests (the demo's own, or one made from the
    address for the two more)."""
    for account in demo.ACCOUNTS:
        if account.email == email:
            return demo_person(account.name)
    return uuid.uuid5(uuid.NAMESPACE_URL, email)


def seen(page: httpx.Response) -> str:
    """The page's text as a person reads it (no HTML escapes)."""
    return html.unescape(page.text)


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
    amqp_url: str
    namespace: str
    database_url: str
    portal: PortalSettings | None = None  # for what only the portal does (sign-in links)

    async def member_known(self, email: str, siren: str) -> None:
        """Wait until matching holds this person's validated membership of the collectivité,
        published by the portal (``membership.changed.v1``): what lets an organiser invite
        them (see matching's ``invitable``)."""
        person = str(person_of(email))

        async def stored() -> bool:
            # Matching serves on its own thread and loop: a connection of this loop.
            conn = await asyncpg.connect(self.database_url)
            try:
                found = await conn.fetchval(
                    """SELECT count(*) FROM matching.memberships
                        WHERE person_id = $1 AND siren = $2 AND status = 'validated'""",
                    person,
                    siren,
                )
            finally:
                await conn.close()
            return bool(found)

        await wait_until(stored, what=f"the membership of {email} in matching")

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
    pair = pair_settings(
        infra, database_url, namespace, "matching", MatchingSettings, rematch_interval_s=0
    )
    url, settings, matching_settings = pair.url, pair.portal, pair.service
    portal_port, matching_port = pair.portal_port, pair.service_port
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    portal_app = create_app(portal_definition(settings))
    matching_app = create_app(matching_definition(matching_settings, clock=clock))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(serving(portal_app, portal_port, "portal"))
        await stack.enter_async_context(serving(matching_app, matching_port, "matching"))
        await Portal(settings).run(demo.create_accounts)
        await Portal(settings).run(add_elected)
        try:
            yield Site(url, clock, matching_app, infra.amqp_url, namespace, database_url, settings)
        finally:
            for app, s in ((portal_app, settings), (matching_app, matching_settings)):
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                await delete_broker_objects(infra.amqp_url, s, subscriptions)
