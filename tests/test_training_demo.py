"""The training demo plays to the end against the real service: a Drôme programme, an
offre groupée of 8 élus of the CC du Crestois at the group price, one rebond."""

import httpx
import pytest

from deformations_common.service import create_app
from deformations_devtools.demo import DemoContext
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    isolated_settings,
    running,
)
from deformations_devtools.training.demo import CC_CRESTOIS, play
from deformations_training.app import definition
from deformations_training.settings import TrainingSettings
from deformations_training.subscribers import handlers

pytestmark = pytest.mark.integration


class InProcessDemo(DemoContext):
    def client(self, service: str) -> httpx.AsyncClient:
        app = self.shared["apps"][service]  # type: ignore[index]
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{service}"
        )


async def test_the_demo_fills_an_offre_groupee_of_the_crestois(
    infra: Infra, database_url: str, namespace: str
) -> None:
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
                shared={"apps": {"training": app}},
            )
            await play(ctx)
            pool = app.state.runtime.pool
            group = await pool.fetchrow(
                "SELECT g.territory_siren, count(e.id) AS members,"
                " array_agg(DISTINCT e.price_cents) AS prices"
                " FROM groups g JOIN enrolments e ON e.group_id = g.id GROUP BY g.id"
            )
            rebonds = await pool.fetchval("SELECT count(*) FROM rebonds")
            offers = await pool.fetchval("SELECT count(*) FROM offers")
    finally:
        await delete_broker_objects(infra.amqp_url, settings, list(handlers.subscriptions))
    assert group is not None
    assert (group["territory_siren"], group["members"], group["prices"]) == (
        CC_CRESTOIS,
        8,
        [15_000],
    )
    assert rebonds == 1
    assert offers == 6
    assert any("offre groupée du Crestois" in line for line in said)
