"""The training demo plays to the end against the real service: a Drôme programme, an
offre groupée of 8 élus of the CC du Crestois at the group price, one rebond."""

import pytest
from training_demo_support import played

from deformations_devtools.testing import Infra
from deformations_devtools.training.demo import CC_CRESTOIS, play

pytestmark = pytest.mark.integration


async def test_the_demo_fills_an_offre_groupee_of_the_crestois(
    infra: Infra, database_url: str, namespace: str
) -> None:
    async with played(infra, database_url, namespace, play) as demo:
        group = await demo.pool.fetchrow(
            "SELECT g.territory_siren, count(e.id) AS members,"
            " array_agg(DISTINCT e.price_cents) AS prices"
            " FROM groups g JOIN enrolments e ON e.group_id = g.id GROUP BY g.id"
        )
        rebonds = await demo.pool.fetchval("SELECT count(*) FROM rebonds")
        offers = await demo.pool.fetchval("SELECT count(*) FROM offers")
    assert group is not None
    assert (group["territory_siren"], group["members"], group["prices"]) == (
        CC_CRESTOIS,
        8,
        [15_000],
    )
    assert rebonds == 1
    assert offers == 6
    assert any("offre groupée du Crestois" in line for line in demo.said)
