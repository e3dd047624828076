"""The training demo plays to the end against the real service: a Drôme programme, an
offre groupée of 8 élus of the CC du Crestois at the group price, one rebond; the same in
the Seine-et-Marne and the CC Gâtinais Val de Loing for Île-de-France."""

import pytest
from training_demo_support import played

from deformations_devtools.places import places_of
from deformations_devtools.testing import Infra
from deformations_devtools.training.demo import play

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("region", "epci", "said"),
    [
        ("", "200040509", "offre groupée du Crestois"),
        ("11", "200023919", "offre groupée du Gâtinais"),
    ],
)
async def test_the_demo_fills_an_offre_groupee_of_the_region_s_epci(
    infra: Infra, database_url: str, namespace: str, region: str, epci: str, said: str
) -> None:
    async with played(infra, database_url, namespace, play, region) as demo:
        group = await demo.pool.fetchrow(
            "SELECT g.territory_siren, count(e.id) AS members,"
            " array_agg(DISTINCT e.price_cents) AS prices"
            " FROM groups g JOIN enrolments e ON e.group_id = g.id GROUP BY g.id"
        )
        rebonds = await demo.pool.fetchval("SELECT count(*) FROM rebonds")
        offers = await demo.pool.fetchval("SELECT count(*) FROM offers")
        places = await demo.pool.fetch(
            "SELECT place_insee FROM offers WHERE place_insee IS NOT NULL"
        )
        members = await demo.pool.fetch("SELECT DISTINCT collectivite_siren FROM enrolments")
    assert group is not None
    assert (group["territory_siren"], group["members"], group["prices"]) == (
        epci,
        8,
        [15_000],
    )
    assert rebonds == 1
    assert offers == 6
    assert any(said in line for line in demo.said)
    # Every room and every élu are the Région's.
    here = places_of(region)
    rooms = {here.training.council.insee, here.training.evening.insee, here.training.visit.insee}
    assert {row["place_insee"] for row in places} == rooms
    assert {row["collectivite_siren"] for row in members} == {c.siren for c in here.training.group}
