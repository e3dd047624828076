"""``make run``'s lending scenario plays to the end against the real service, in the
platform's Région: around Crest by default, in the Gâtinais for Île-de-France, where the
statistics show its loan."""

from uuid import UUID

import httpx
import pytest
from platform_harness import Platform
from test_lending_support import AOUSTE, CREST

from deformations_devtools.demo import DemoContext
from deformations_devtools.lending.demo import play
from deformations_devtools.places import ILE_DE_FRANCE as IDF_PLACES
from deformations_devtools.portal.platforms import ILE_DE_FRANCE
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration


class InProcessDemo(DemoContext):
    def client(self, service: str) -> httpx.AsyncClient:
        app = self.shared["apps"][service]  # type: ignore[index]
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{service}"
        )


async def test_the_demo_lends_crest_s_technician_to_aouste(platform: Platform) -> None:
    lending = await platform.start("lending")
    said: list[str] = []
    ctx = InProcessDemo(
        urls={"lending": "http://lending"},
        settings=lending.settings,
        say=said.append,
        shared={"apps": {"lending": lending.app}, "lending.proposal_wait_s": 0},
    )

    await play(ctx)

    assert ctx.shared["lending.lender_siren"] == CREST
    loan = await lending.runtime.pool.fetchrow(
        "SELECT status, lender_siren, borrower_siren FROM loans WHERE id = $1",
        UUID(str(ctx.shared["lending.loan_id"])),
    )
    assert loan is not None
    assert dict(loan) == {"status": "completed", "lender_siren": CREST, "borrower_siren": AOUSTE}
    text = "\n".join(said)
    assert "Convention (PDF) : http://lending/v1/loans/" in text
    assert "Solde de Crest : 7 h (prêteuse)" in text
    assert "Solde d'Aouste-sur-Sye : -7 h (emprunteuse)" in text
    assert (
        "Solde de l'intercommunalité CC du Crestois et de Pays de Saillans Coeur de Drôme : 0 h"
        in text
    )


async def test_the_ile_de_france_demo_lends_in_the_gatinais_as_its_statistics_show(
    platform: Platform,
) -> None:
    """With PLATFORM=ile-de-france, Souppes-sur-Loing lends to Beaumont-du-Gâtinais: the
    Région's statistics (which count only its territory) show the loan, and nothing of the
    Drôme is left in the demo."""
    stats = await platform.start("statistics", platform_file=str(ILE_DE_FRANCE))
    lending = await platform.start("lending")
    said: list[str] = []
    ctx = InProcessDemo(
        urls={"lending": "http://lending"},
        settings=lending.settings,
        say=said.append,
        region="11",
        shared={"apps": {"lending": lending.app}, "lending.proposal_wait_s": 0},
    )

    await play(ctx)

    loan = await lending.runtime.pool.fetchrow(
        "SELECT status, lender_siren, borrower_siren FROM loans WHERE id = $1",
        UUID(str(ctx.shared["lending.loan_id"])),
    )
    assert loan is not None
    assert dict(loan) == {
        "status": "completed",
        "lender_siren": IDF_PLACES.lender.siren,
        "borrower_siren": IDF_PLACES.borrower.siren,
    }
    text = "\n".join(said)
    assert "Souppes-sur-Loing prête une technicienne restauration collective" in text
    assert "Solde de Beaumont-du-Gâtinais : -7 h (emprunteuse)" in text
    assert "Crest" not in text and "Aouste" not in text and "Drôme" not in text

    async def counted() -> bool:
        found: int = await stats.runtime.pool.fetchval(
            "SELECT count(*) FROM facts WHERE indicator = 'prets'"
        )
        return found == 1

    await wait_until(counted, what="the statistics counted the demo's loan")
    operator = stats.auth("op", roles=("operator",))
    shown = {}
    for level in ("departement", "epci"):
        answer = await stats.client.get(
            "/v1/indicators/prets", params={"niveau": level}, headers=operator
        )
        assert answer.status_code == 200, answer.text
        shown[level] = [row["name"] for row in answer.json()["rows"]]
    assert shown == {"departement": ["Seine-et-Marne"], "epci": ["CC Gâtinais Val de Loing"]}
