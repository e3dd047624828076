"""The programmes demo plays to the end against the real training service: a
non-conférence in the CC du Clunisois and an élus enquêteurs programme."""

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
from deformations_devtools.training.programmes_demo import CC_CLUNISOIS, play
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


async def test_the_demo_runs_a_non_conference_and_an_enquiry(
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
            rows = await pool.fetch(
                "SELECT recipe_code, territory_siren, status FROM programmes ORDER BY started_at"
            )
            space = await pool.fetchval(
                "SELECT state FROM open_spaces WHERE programme_id = $1",
                ctx.shared["programmes_non_conference"],
            )
            enquiry = await pool.fetchval(
                "SELECT state FROM programmes WHERE id = $1",
                ctx.shared["programmes_elus_enqueteurs"],
            )
            field = await pool.fetchval(
                "SELECT state FROM enquetes WHERE programme_id = $1",
                ctx.shared["programmes_elus_enqueteurs"],
            )
    finally:
        await delete_broker_objects(infra.amqp_url, settings, list(handlers.subscriptions))
    assert [(r["recipe_code"], r["territory_siren"], r["status"]) for r in rows] == [
        ("t10_non_conference", CC_CLUNISOIS, "closed"),
        ("t04_elus_enqueteurs", "200040509", "running"),
    ]
    assert len(space["contributions"]) == 4
    assert any(p["notes"] for p in space["proposals"])
    assert space["demonstrators"][0]["title"].startswith("Groupement de commandes")
    titles = [m["title"] for m in enquiry["materials"]]
    assert "Guide d'entretien" in titles and "Entretien à Cormatin" in titles
    assert field["field_list"][0]["collectivite"] == "Cormatin"
    assert field["field_list"][0]["status"] == "met" and field["learnings"][0]["shared_at"]
    assert len(said) == 3
