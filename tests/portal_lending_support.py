"""The portal and the lending service on real ports, for the lending pages' tests; with an
SMTP port, notifications beside them, mailing there.

Lending verifies the portal's tokens against its JWKS, as deployed, and runs on a
ManualClock (a half-day takes place when the test moves it on) while the portal keeps real
time, so its tokens stay valid; so does notifications, which mints the mails' action
links the portal checks. The demo accounts sign in from ``/connexion/dev``: the élue of
Crest (lends), the élu of Aouste-sur-Sye (borrows), Crest's HR and its agent.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

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
    free_port,
    isolated_settings,
)
from deformations_lending.app import definition as lending_definition
from deformations_lending.settings import LendingSettings
from deformations_notifications.app import definition as notifications_definition
from deformations_notifications.settings import NotificationsSettings
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
    notifications: FastAPI | None = None  # with an SMTP port only

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


def _notifications_settings(
    infra: Infra, database_url: str, namespace: str, pair: Any, port: int, smtp_port: int
) -> NotificationsSettings:
    return isolated_settings(
        NotificationsSettings,
        infra,
        database_url,
        namespace,
        "notifications",
        http_port=port,
        jwt_jwks_url=f"{pair.url}/.well-known/jwks.json",
        jwt_issuer=pair.portal.issuer,
        jwt_audience="notifications",
        smtp_port=smtp_port,
        sender_poll_interval_s=0.05,
        app_url=pair.url,
    )


@asynccontextmanager
async def lending_site(
    infra: Infra, database_url: str, namespace: str, *, smtp_port: int | None = None
) -> AsyncIterator[Site]:
    pair = pair_settings(infra, database_url, namespace, "lending", LendingSettings)
    url, settings, lending_settings = pair.url, pair.portal, pair.service
    portal_port, lending_port = pair.portal_port, pair.service_port
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    served: list[tuple[str, int, FastAPI, Any]] = []
    if smtp_port is not None:
        # First: its queues must be there when the portal publishes the demo memberships.
        port = free_port()
        mailing = _notifications_settings(infra, database_url, namespace, pair, port, smtp_port)
        settings.service_urls["notifications"] = f"http://127.0.0.1:{port}"
        served.append(
            ("notifications", port, create_app(notifications_definition(mailing)), mailing)
        )
    portal_app = create_app(portal_definition(settings))
    lending_app = create_app(lending_definition(lending_settings, clock=clock))
    served += [
        ("portal", portal_port, portal_app, settings),
        ("lending", lending_port, lending_app, lending_settings),
    ]
    async with AsyncExitStack() as stack:
        for name, port, app, _ in served:
            await stack.enter_async_context(serving(app, port, name))
        await Portal(settings).run(demo.create_accounts)
        try:
            exchange = f"deformations.events.{namespace}"
            mails = served[0][2] if smtp_port is not None else None
            yield Site(url, clock, lending_app, infra.amqp_url, exchange, mails)
        finally:
            for _, _, app, s in served:
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                await delete_broker_objects(infra.amqp_url, s, subscriptions)
