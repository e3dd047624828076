"""The programmes demo plays to the end against the real training service: a
non-conférence in the CC du Clunisois and an élus enquêteurs programme."""

import pytest
from training_demo_support import played

from deformations_devtools.people import subject
from deformations_devtools.testing import Infra
from deformations_devtools.training.programmes_demo import CC_CLUNISOIS, play

pytestmark = pytest.mark.integration


async def test_the_demo_runs_a_non_conference_and_an_enquiry(
    infra: Infra, database_url: str, namespace: str
) -> None:
    async with played(infra, database_url, namespace, play) as demo:
        rows = await demo.pool.fetch(
            "SELECT recipe_code, territory_siren, status FROM programmes ORDER BY started_at"
        )
        space = await demo.pool.fetchval(
            "SELECT state FROM open_spaces WHERE programme_id = $1",
            demo.ctx.shared["programmes_non_conference"],
        )
        nc_state = await demo.pool.fetchval(
            "SELECT state FROM programmes WHERE id = $1",
            demo.ctx.shared["programmes_non_conference"],
        )
        enquiry = await demo.pool.fetchval(
            "SELECT state FROM programmes WHERE id = $1",
            demo.ctx.shared["programmes_elus_enqueteurs"],
        )
        field = await demo.pool.fetchval(
            "SELECT state FROM enquetes WHERE programme_id = $1",
            demo.ctx.shared["programmes_elus_enqueteurs"],
        )
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
    assert len(demo.said) == 3
    # The demo's élue of Crest is in both, so that signed in as her the pages show them.
    elue = subject("elue-crest")
    for programme in (nc_state, enquiry):
        assert any(
            p["person_id"] == elue and p["status"] == "accepted" for p in programme["participants"]
        )
