"""The portal with diagnosis, matching and training on real ports, for « Mes diagnostics »
and « Mon agenda »: each service verifies the portal's tokens against its JWKS, as
deployed. Lending is left out on purpose: its part of the agenda shows its French notice.

The élue of Crest (a demo account) has, once ``seed_agenda`` ran, a café with a technician
in three days (matching) and a confirmed place in an evening training in a week.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from browser import serving
from fastapi import FastAPI
from test_portal_training import offer_form, publish

from deformations_common.db import create_pool
from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_common.vocabulary.french import PARIS, as_paris
from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.sessions import SessionKind, SessionScheduled
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_devtools.people import person_id as demo_person
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, delete_broker_objects, free_port, isolated_settings
from deformations_diagnosis.app import definition as diagnosis_definition
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_matching.app import definition as matching_definition
from deformations_matching.repositories.plans import PlanRepository
from deformations_matching.settings import MatchingSettings
from deformations_portal.app import definition as portal_definition
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.service import tokens
from deformations_portal.settings import PortalSettings
from deformations_training.app import definition as training_definition
from deformations_training.settings import TrainingSettings

ELUE = "elue@crest.demo.deformations.fr"
ELUE_ID = demo_person("elue-crest")
ELU_AOUSTE = "elu@aouste.demo.deformations.fr"
TRAINER = "formatrice@demo.deformations.fr"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass
class Site:
    url: str
    settings: PortalSettings
    apps: dict[str, FastAPI]

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


def quiz_answers(seed: int) -> dict[str, list[str]]:
    """A complete quiz as form fields (several values of one name for a multiple choice)."""
    [(_, submission)] = synthetic_submissions(load_questionnaire(), 1, seed=seed)
    return {item: list(options) for item, options in submission.answers.items()}


@asynccontextmanager
async def my_space_site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    ports = {name: free_port() for name in ("portal", "diagnosis", "matching", "training")}
    url = f"http://127.0.0.1:{ports['portal']}"
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        http_port=ports["portal"],
        public_url=url,
        app_url=url,
        smtp_port=1,
        environment=Environment.DEV,
        service_urls={
            name: f"http://127.0.0.1:{port}" for name, port in ports.items() if name != "portal"
        },
    )

    def verifying(cls: type[Any], name: str) -> Any:
        return isolated_settings(
            cls,
            infra,
            database_url,
            namespace,
            name,
            http_port=ports[name],
            jwt_jwks_url=f"{url}/.well-known/jwks.json",
            jwt_issuer=settings.issuer,
            jwt_audience=name,
        )

    service_settings = {
        "diagnosis": verifying(DiagnosisSettings, "diagnosis"),
        "matching": verifying(MatchingSettings, "matching"),
        "training": verifying(TrainingSettings, "training"),
    }
    apps = {
        "portal": create_app(portal_definition(settings)),
        "diagnosis": create_app(diagnosis_definition(service_settings["diagnosis"])),
        "matching": create_app(matching_definition(service_settings["matching"])),
        "training": create_app(training_definition(service_settings["training"])),
    }
    async with AsyncExitStack() as stack:
        for name, app in apps.items():
            await stack.enter_async_context(serving(app, ports[name], name))
        await Portal(settings).run(demo.create_accounts)
        try:
            yield Site(url, settings, apps)
        finally:
            for name, app in apps.items():
                handlers = app.state.definition.handlers
                subscriptions = handlers.subscriptions if handlers else []
                s = settings if name == "portal" else service_settings[name]
                await delete_broker_objects(infra.amqp_url, s, subscriptions)


async def register_body(site: Site) -> None:
    """The demo trainer's body, registered by an operator on training's own API."""
    now = datetime.now(UTC)
    issuer = await Portal(site.settings).run(tokens.load_issuer)
    operator = Membership(
        uuid.uuid4(), uuid.uuid4(), demo.CRESTOIS, Role.OPERATOR, Status.VALIDATED, now
    )
    token = issuer.issue(operator.person_id, operator, "training", now)
    training_url = site.settings.service_urls["training"]
    async with httpx.AsyncClient(base_url=training_url) as api:
        registered = await api.post(
            "/v1/bodies",
            json={"siren": demo.CRESTOIS, "name": "Centre de formation du Crestois"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert registered.status_code == 201, registered.text


async def seed_agenda(site: Site) -> tuple[datetime, datetime]:
    """A café in three days (matching) and an evening training in a week she is enrolled
    in (training, through the portal's pages); their start times."""
    now = datetime.now(UTC)
    cafe_day = (as_paris(now) + timedelta(days=3)).date()
    cafe_starts = datetime.combine(cafe_day, datetime.min.time(), tzinfo=PARIS).replace(hour=8)
    # Matching's pool lives on the loop of the thread serving it: a pool of this loop, on
    # matching's schema, stores the session as matching's use case would (not published).
    pool = await create_pool(site.settings.database_url, "matching", min_size=1, max_size=1)
    async with pool.acquire() as conn:
        await PlanRepository(conn).insert_session(
            SessionScheduled(
                session_id=uuid.uuid4(),
                kind=SessionKind.CAFE_ELUS_TECHNICIENS,
                related_id=uuid.uuid4(),
                starts_at=cafe_starts,
                ends_at=cafe_starts + timedelta(hours=1),
                place_label="Mairie de Crest, salle des mariages",
                participants=[str(ELUE_ID), "tech-crest"],
                sequence=0,
                scheduled_at=now,
            ),
            organiser="rh-crest",
        )
    await pool.close()

    await register_body(site)
    day = as_paris(now) + timedelta(days=7)
    async with site.person(TRAINER) as trainer:
        published = await publish(trainer, offer_form(day, capacite="5"))
        assert published.status_code == 303, published.text
        offer_id = re.findall(UUID, published.headers["location"])[0]
    async with site.person(ELUE) as elue:
        page = await elue.get(f"/formations/{offer_id}")
        enrolled = await elue.post(f"/formations/{offer_id}/inscription", data={"csrf": csrf(page)})
        assert enrolled.headers["location"].endswith("inscription=confirmee"), enrolled.headers
    training_starts = datetime.combine(day.date(), datetime.min.time(), tzinfo=PARIS)
    return cafe_starts, training_starts.replace(hour=18)
