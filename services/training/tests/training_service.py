"""A training service running on the real PostgreSQL and RabbitMQ, for tests."""

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aio_pika
import httpx
import pytest
from training_factories import NOW

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
