"""``make run``'s lending scenario plays to the end against the real service."""

from uuid import UUID

import httpx
import pytest
from platform_harness import Platform
from test_lending_support import AOUSTE, CREST

from deformations_devtools.demo import DemoContext
from deformations_devtools.lending.demo import play

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
