"""Play a training demo against the real training service, in process."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from deformations_common.db import Pool
from deformations_common.service import create_app
from deformations_devtools.demo import DemoContext
from deformations_devtools.testing import Infra, delete_broker_objects, isolated_settings, running
from deformations_training.app import definition
from deformations_training.settings import TrainingSettings
from deformations_training.subscribers import handlers


class InProcessDemo(DemoContext):
    def client(self, service: str) -> httpx.AsyncClient:
        app = self.shared["apps"][service]  # type: ignore[index]
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{service}"
        )


@dataclass
class Played:
    ctx: DemoContext
    pool: Pool
    said: list[str]


@asynccontextmanager
async def played(
    infra: Infra,
    database_url: str,
    namespace: str,
    play: Callable[[DemoContext], Awaitable[None]],
    region: str = "",
) -> AsyncIterator[Played]:
    """The demo played to the end in the Région ``region`` (a COG code; the default's when
    empty); the service still runs while the test reads its tables."""
    settings = isolated_settings(
        TrainingSettings, infra, database_url, namespace, "training", jobs_interval_s=0
    )
    app = create_app(definition(settings))
    said: list[str] = []
    try:
        async with running(app):
            ctx = InProcessDemo(
                urls={"training": "http://training"},
                settings=settings,
                say=said.append,
                region=region,
                shared={"apps": {"training": app}},
            )
            await play(ctx)
            yield Played(ctx, app.state.runtime.pool, said)
    finally:
        await delete_broker_objects(infra.amqp_url, settings, list(handlers.subscriptions))
