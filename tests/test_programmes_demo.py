"""The programmes demo plays to the end against the real training service: a
non-conférence in the CC du Diois and an élus enquêteurs programme in the CC du Crestois
(both in the Drôme); for Île-de-France, in the CC Pays de Nemours and the CC Gâtinais Val
de Loing."""

import pytest
from training_demo_support import played

from deformations_devtools.people import person_id, subject
from deformations_devtools.places import places_of
from deformations_devtools.testing import Infra
from deformations_devtools.training.programmes_demo import play

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("region", "territories", "nc_of", "interviewed", "elue"),
    [
        ("", ("242600534", "200040509"), "du Diois", "Menglon", "elue-crest"),
        ("11", ("200023240", "200023919"), "du Pays de Nemours", "Larchant", "elue-souppes"),
    ],
)
async def test_the_demo_runs_a_non_conference_and_an_enquiry(
    infra: Infra,
    database_url: str,
    namespace: str,
    region: str,
    territories: tuple[str, str],
    nc_of: str,
    interviewed: str,
    elue: str,
) -> None:
    async with played(infra, database_url, namespace, play, region) as demo:
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
        ("t10_non_conference", territories[0], "closed"),
        ("t04_elus_enqueteurs", territories[1], "running"),
    ]
    assert len(space["contributions"]) == 4
    assert any(p["notes"] for p in space["proposals"])
    assert space["demonstrators"][0]["title"].startswith("Groupement de commandes")
    titles = [m["title"] for m in enquiry["materials"]]
    assert "Guide d'entretien" in titles and f"Entretien à {interviewed}" in titles
    assert field["field_list"][0]["collectivite"] == interviewed
    assert field["field_list"][0]["status"] == "met" and field["learnings"][0]["shared_at"]
    assert len(demo.said) == 3
    assert demo.said[0].startswith(f"training: non-conférence {nc_of}, 4 contributions")
    # The demo's élue of Crest (Souppes-sur-Loing) is in both, so that signed in to the
    # portal as her (the person the portal knows, by her UUID) the pages show them.
    assert elue == places_of(region).people.elue
    joined = str(person_id(elue))
    assert subject(elue) == joined
    for programme in (nc_state, enquiry):
        assert any(
            p["person_id"] == joined and p["status"] == "accepted"
            for p in programme["participants"]
        )
