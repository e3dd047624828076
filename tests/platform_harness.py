"""Start real services of the platform in-process, isolated per test, on the real broker."""

import importlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.trace import TracerProvider

from deformations_common.auth import issue_dev_token
from deformations_common.codec import OutgoingMessage
from deformations_common.messaging import publish_once
from deformations_common.service import Runtime, ServiceDefinition, create_app
from deformations_common.settings import ServiceSettings
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    isolated_settings,
    running,
    tap,
)

SERVICES = ("diagnosis", "matching", "lending", "notifications", "training")


@dataclass
class RunningService:
    name: str
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    def token(
        self,
        sub: str,
        *,
        authority: str | None = None,
        roles: tuple[str, ...] = (),
        email: str | None = None,
        email_verified: bool | None = None,
    ) -> str:
        return issue_dev_token(
            self.settings,
            sub,
            authority=authority,
            roles=roles,
            email=email,
            email_verified=email_verified,
        )

    def auth(self, sub: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, **claims)}"}


@dataclass
class Platform:
    infra: Infra
    database_url: str
    namespace: str
    stack: AsyncExitStack
    services: dict[str, RunningService] = field(default_factory=dict)

    def settings(self, name: str, **overrides: Any) -> ServiceSettings:
        module = importlib.import_module(f"deformations_{name}.settings")
        settings_cls = getattr(module, f"{name.capitalize()}Settings")
        settings: ServiceSettings = isolated_settings(
            settings_cls, self.infra, self.database_url, self.namespace, name, **overrides
        )
        return settings

    def definition(self, name: str, **overrides: Any) -> ServiceDefinition:
        module = importlib.import_module(f"deformations_{name}.app")
        definition: ServiceDefinition = module.definition(self.settings(name, **overrides))
        return definition

    async def start(
        self, name: str, *, tracer_provider: TracerProvider | None = None, **overrides: Any
    ) -> RunningService:
        definition = self.definition(name, **overrides)
        definition.tracer_provider = tracer_provider
        app = create_app(definition)
        client = await self.stack.enter_async_context(running(app))
        service = RunningService(name, app, client, definition.settings)
        self.services[name] = service
        return service

    async def publish(self, message: OutgoingMessage) -> None:
        """Publish an encoded event on this test's exchange, as a producer's relay would."""
        await publish_once(self.infra.amqp_url, f"deformations.events.{self.namespace}", [message])

    async def tap(self, routing_key: str) -> aio_pika.abc.AbstractQueue:
        """A throw-away queue that receives every event published with ``routing_key``."""
        exchange = f"deformations.events.{self.namespace}"
        return await tap(self.stack, self.infra.amqp_url, exchange, routing_key)


@pytest.fixture
async def platform(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Platform]:
    async with AsyncExitStack() as stack:
        p = Platform(infra, database_url, namespace, stack)
        yield p
    for service in p.services.values():
        handlers = service.app.state.definition.handlers
        await delete_broker_objects(
            infra.amqp_url, service.settings, handlers.subscriptions if handlers else []
        )
