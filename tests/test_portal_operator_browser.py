"""The operators' back-office in a real browser on a phone: an operator accepts a
membership and re-drives a dead letter of training through training's own API (which
verifies the portal's token), then reads both decisions in the journal; axe-core on
every page."""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import aio_pika
import asyncpg
import pytest
from browser import PHONE, Open, accessible, click, link, press, serving
from portal_pair import pair_settings

from deformations_common.codec import encode
from deformations_common.service import create_app
from deformations_common.topology import Topology
from deformations_contracts.events.people import PersonErasureRequested
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, wait_until
from deformations_portal.app import definition as portal_definition
from deformations_portal.service import memberships, people
from deformations_portal.service.people import Claims
from deformations_training.app import definition as training_definition
from deformations_training.settings import TrainingSettings
from deformations_training.subscribers import handlers as training_handlers

pytestmark = [pytest.mark.integration, pytest.mark.browser]

OPERATOR = "operateur@demo.deformations.fr"


async def _requester(uow: Any) -> None:
    person = await people.person_for(
        uow, Claims("email", "lucie@crest.fr", email="lucie@crest.fr", given_name="Lucie")
    )
    await memberships.request_join(uow, person, demo.CREST, "agent")


async def _dead_letter(settings: TrainingSettings) -> str:
    """A valid erasure request sitting in training's DLQ, as if its handling had failed."""
    message = encode(
        PersonErasureRequested(person_id=str(uuid.uuid4()), requested_at=datetime.now(UTC)),
        source="portal",
    )
    [subscription] = training_handlers.subscriptions
    connection = await aio_pika.connect(settings.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        dlx = await channel.get_exchange(settings.dead_letter_exchange)
        await dlx.publish(
            aio_pika.Message(
                message.body,
                headers={**message.headers, "x-deformations-error-kind": "exhausted"},
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=Topology(settings).queue_name(subscription),
        )
    finally:
        await connection.close()
    return str(message.event_id)


async def test_an_operator_accepts_a_membership_and_redrives_a_dead_letter(
    infra: Infra, database_url: str, namespace: str, browsers: Open
) -> None:
    pair = pair_settings(infra, database_url, namespace, "training", TrainingSettings)
    url, settings, training_settings = pair.url, pair.portal, pair.service
    portal_port, training_port = pair.portal_port, pair.service_port
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            serving(create_app(portal_definition(settings)), portal_port, "portal")
        )
        await stack.enter_async_context(
            serving(create_app(training_definition(training_settings)), training_port, "training")
        )
        await Portal(settings).run(demo.create_accounts)
        await Portal(settings).run(_requester)
        ce_id = await _dead_letter(training_settings)

        driver = browsers(window=PHONE)
        driver.get(f"{url}/connexion/dev")
        click(driver, f"Agir en tant que {OPERATOR}")
        press(driver, link("Opérateur"))
        accessible(driver)
        assert "Demandes en attente (1)" in driver.page_source
        assert "Lucie — Crest" in driver.page_source
        click(driver, "Accepter")
        accessible(driver)
        assert "La demande est acceptée" in driver.page_source
        assert "Aucune demande en attente." in driver.page_source

        press(driver, link("Collectivités"))
        accessible(driver)
        assert "Crest" in driver.page_source

        press(driver, link("Lettres mortes"))
        accessible(driver)
        assert "training : 1 lettre morte" in driver.page_source
        assert ce_id in driver.page_source
        click(driver, "Relancer")
        accessible(driver)
        assert "Le message est relancé" in driver.page_source

        async def consumed() -> bool:
            conn = await asyncpg.connect(database_url)
            try:
                found = await conn.fetchval(
                    "SELECT count(*) FROM training.inbox WHERE event_id = $1", ce_id
                )
            finally:
                await conn.close()
            return bool(found)

        await wait_until(consumed, what="training handled the re-driven erasure request")
        driver.refresh()
        assert "training : 0 lettre morte" in driver.page_source

        press(driver, link("Journal des décisions"))
        accessible(driver)
        assert "lettre morte relancée" in driver.page_source
        assert f"training:{ce_id}" in driver.page_source
        assert "adhésion acceptée" in driver.page_source

        # Anyone else meets the 403 page, itself accessible.
        other = browsers(window=PHONE)
        other.get(f"{url}/connexion/dev")
        click(other, "Agir en tant que rh@crest.demo.deformations.fr")
        other.get(f"{url}/operateur")
        accessible(other)
        assert "réservée aux opérateurs" in other.page_source
