"""A training service running on the real PostgreSQL and RabbitMQ, for tests."""

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from training_factories import BODY, CREST, NOW

from deformations_common.auth import issue_dev_token
from deformations_common.service import Runtime, create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    isolated_settings,
    running,
    tap,
)
from deformations_training.app import definition
from deformations_training.domain.offers import Format, Offer
from deformations_training.domain.policy import Actor
from deformations_training.service import offers
from deformations_training.service.uow import TrainingUow
from deformations_training.settings import TrainingSettings
from deformations_training.subscribers import handlers

OPERATOR = "op-1"
TRAINER = "formatrice-1"


@dataclass
class Service:
    client: httpx.AsyncClient
    runtime: Runtime[TrainingSettings]
    settings: TrainingSettings
    clock: ManualClock
    stack: AsyncExitStack
    amqp_url: str

    def auth(self, sub: str, authority: str | None = None, *roles: str) -> dict[str, str]:
        token = issue_dev_token(self.settings, sub, authority=authority, roles=roles)
        return {"authorization": f"Bearer {token}"}

    def begin(self) -> Any:
        return self.runtime.begin(TrainingUow)

    async def tap(self, routing_key: str) -> aio_pika.abc.AbstractQueue:
        return await tap(self.stack, self.amqp_url, self.settings.events_exchange, routing_key)


async def drain(queue: aio_pika.abc.AbstractQueue) -> list[aio_pika.abc.AbstractIncomingMessage]:
    got = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        got.append(message)
    return got


def body_of(message: aio_pika.abc.AbstractIncomingMessage) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(message.body)
    return data


@pytest.fixture
async def service(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Service]:
    clock = ManualClock(NOW)
    settings = isolated_settings(
        TrainingSettings,
        infra,
        database_url,
        namespace,
        "training",
        jobs_interval_s=0,
        db_pool_max=12,
    )
    app = create_app(definition(settings, clock=clock))
    try:
        async with AsyncExitStack() as stack, running(app) as client:
            yield Service(client, app.state.runtime, settings, clock, stack, infra.amqp_url)
    finally:
        await delete_broker_objects(infra.amqp_url, settings, list(handlers.subscriptions))


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


OPERATOR_ACTOR = Actor("op", None, frozenset({"operator"}))


def elu(person: str, siren: str = CREST) -> Actor:
    return Actor(person, siren, frozenset({"elected"}))


async def publish(service: Service, capacity: int, **extra: object) -> Offer:
    async with service.begin() as uow:
        if await uow.bodies.get(BODY) is None:
            await offers.register(
                uow,
                OPERATOR_ACTOR,
                siren=BODY,
                name="Formations Drôme",
                agrement_reference="AGR-1",
                agrement_until=None,
            )
        start = NOW + timedelta(days=21)
        fields: dict[str, object] = {
            "body_siren": BODY,
            "title": "Sobriété énergétique des bâtiments",
            "description": "",
            "theme": "energie",
            "format": Format.HALF_DAY,
            "duration_minutes": 210,
            "capacity": capacity,
            "price_cents": 20_000,
            "sessions": [(start, start + timedelta(hours=3))],
            "place_insee": "26108",
            "place_label": "Salle du conseil, mairie de Crest",
            "video_url": None,
            "group_tiers": [],
            "registration_closes_at": None,
        }
        fields.update(extra)
        return await offers.publish(uow, OPERATOR_ACTOR, **fields)  # type: ignore[arg-type]
