"""The diagnosis demo of ``make run`` against the real service: both events, a filled
collective page, and the platform's Région's statistics counting every diagnosis."""

from __future__ import annotations

from pathlib import Path

import aio_pika
import httpx
import pytest
from platform_harness import Platform, RunningService

from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_devtools.demo import DemoContext
from deformations_devtools.diagnosis import demo
from deformations_devtools.places import places_of
from deformations_devtools.portal.platforms import AUVERGNE_RHONE_ALPES, ILE_DE_FRANCE
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration


class InProcessDemo(DemoContext):
    """The demo context, its HTTP client bound to the in-process app instead of a port."""

    def __init__(self, service: RunningService, lines: list[str], region: str) -> None:
        super().__init__(
            {"diagnosis": "http://diagnosis.test"}, service.settings, lines.append, region
        )
        self._app = service.app

    def client(self, service: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self._app), base_url=self.urls[service]
        )


@pytest.mark.parametrize(
    ("region", "platform_file", "town", "departement", "epci"),
    [
        ("", AUVERGNE_RHONE_ALPES, "Die", "Drôme", "CC du Diois"),
        ("11", ILE_DE_FRANCE, "Nemours", "Seine-et-Marne", "CC Pays de Nemours"),
    ],
)
async def test_the_demo_fills_a_campaign_of_the_region_s_epci(
    platform: Platform, region: str, platform_file: Path, town: str, departement: str, epci: str
) -> None:
    """The Diois by default, the Pays de Nemours for Île-de-France: both in the Région,
    whose statistics (which count only its territory) count every answer of the demo."""
    stats = await platform.start("statistics", platform_file=str(platform_file))
    diagnosis = await platform.start("diagnosis")
    completed = await platform.tap(DiagnosisCompleted.routing_key)
    updated = await platform.tap(DiagnosisTeamUpdated.routing_key)
    lines: list[str] = []
    ctx = InProcessDemo(diagnosis, lines, region)
    await demo.play(ctx)

    answering = places_of(region).diagnosis.respondents
    respondents = sum(answering.values())
    shared = sum(n - n // 4 for n in answering.values())  # rank 3 keeps it private

    async def count(queue: aio_pika.abc.AbstractQueue, n: int) -> bool:
        declared = await queue.channel.declare_queue(queue.name, passive=True)
        return bool(declared.declaration_result.message_count == n)

    await wait_until(lambda: count(completed, respondents), what="every completed event")
    await wait_until(lambda: count(updated, shared - 2), what="a team event per shared from 3")
    assert ctx.shared["diagnosis.campaign_token"]
    assert ctx.shared["diagnosis.people"]
    collective_line = next(line for line in lines if "page collective" in line)
    page = await diagnosis.client.get(collective_line.split("http://diagnosis.test")[1])
    assert f"{shared} réponses partagées avec le groupe" in page.text
    # Its main town has enough shared answers to be shown on its own row.
    assert f'<th scope="row">{town}</th>' in page.text

    async def counted() -> bool:
        found: int = await stats.runtime.pool.fetchval(
            "SELECT count(*) FROM facts WHERE indicator = 'diagnostics-familles'"
        )
        return found == respondents

    await wait_until(counted, what="the statistics counted every diagnosis of the demo")
    operator = stats.auth("op", roles=("operator",))
    shown = {}
    for level in ("departement", "epci"):
        answer = await stats.client.get(
            "/v1/indicators/diagnostics-familles", params={"niveau": level}, headers=operator
        )
        assert answer.status_code == 200, answer.text
        shown[level] = [(row["name"], row["total"]["count"]) for row in answer.json()["rows"]]
    assert shown == {"departement": [(departement, respondents)], "epci": [(epci, respondents)]}
