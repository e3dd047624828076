"""The demo of ``make run`` plays against a running matching service and the real broker."""

import httpx
import pytest
from platform_harness import Platform

from deformations_devtools.demo import DemoContext
from deformations_matching import demo

pytestmark = pytest.mark.integration


async def test_the_demo_shows_proposals_a_peer_group_and_a_speed_dating(
    platform: Platform,
) -> None:
    matching = await platform.start("matching")
    lines: list[str] = []

    class InProcess(DemoContext):
        def client(self, service: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=matching.app)
            return httpx.AsyncClient(transport=transport, base_url="http://matching")

    ctx = InProcess(
        urls={"matching": "http://matching"}, settings=matching.settings, say=lines.append
    )
    await demo.play(ctx)
    text = "\n".join(lines)
    assert "propositions besoin ↔ offre" in text
    assert "Offre groupée pour 3 communes" in text
    assert "Groupe d'entraide (confirmed)" in text
    assert "Tour 4 :" in text
    assert {"matching.peer_group_id", "matching.gathering_id"} <= set(ctx.shared)
