"""The portal and the lending service on real ports, for the lending pages' tests.

Lending verifies the portal's tokens against its JWKS, as deployed, and runs on a
ManualClock (a half-day takes place when the test moves it on) while the portal keeps real
time, so its tokens stay valid. The demo accounts sign in from ``/connexion/dev``: the
élue of Crest (lends), the élu of Aouste-sur-Sye (borrows), Crest's HR and its agent.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
from browser import serving
from fastapi import FastAPI
from portal_pair import pair_settings

from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
)
from deformations_lending.app import definition as lending_definition
from deformations_lending.settings import LendingSettings
from deformations_portal.app import definition as portal_definition

LENDER = "elue@crest.demo.deformations.fr"
BORROWER = "elu@aouste.demo.deformations.fr"
HR = "rh@crest.demo.deformations.fr"
AGENT = "agent@crest.demo.deformations.fr"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
WEEK = [f"{day}:{part}" for day in range(1, 6) for part in ("am", "pm")]


@dataclass
class Site:
    url: str
    clock: ManualClock  # lending's
    lending: FastAPI
    amqp_url: str
    exchange: str  # the test's events exchange, where matching would publish

    @asynccontextmanager
    async def person(self, email: str) -> AsyncIterator[httpx.AsyncClient]:
        """A browser-like client signed in as a demo account (dev sign-in)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            page = await client.get("/connexion/dev")
            signed = await client.post("/connexion/dev", data={"email": email, "csrf": csrf(page)})
            assert signed.status_code == 303, signed.text
            yield client


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def next_monday(after: datetime, days: int) -> date:
    day = (after + timedelta(days=days)).date()
    return day + timedelta(days=(7 - day.weekday()) % 7)


@asynccontextmanager
async def lending_site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    pair = pair_settings(infra, database_url, namespace, "lending", LendingSettings)
    url, settings, lending_settings = pair.url, pair.portal, pair.service
    portal_port, lending_port = pair.portal_port, pair.service_port
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    portal_app = create_app(portal_definition(settings))
    lending_app = create_app(lending_definition(lending_settings, clock=clock))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(serving(portal_app, portal_port, "portal"))
        await stack.enter_async_context(serving(lending_app, lending_port, "lending"))
        await Portal(settings).run(demo.create_accounts)
        try:
            exchange = f"deformations.events.{namespace}"
            yield Site(url, clock, lending_app, infra.amqp_url, exchange)
        finally:
            for app, s in ((portal_app, settings), (lending_app, lending_settings)):
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                await delete_broker_objects(infra.amqp_url, s, subscriptions)
