"""The demo of ``make run`` plays against a running matching service and the real broker,
as many times as ``make run`` is run on the same database."""

import httpx
import pytest
from platform_harness import Platform

from deformations_devtools.demo import DemoContext
from deformations_devtools.matching import demo

pytestmark = pytest.mark.integration


async def test_the_demo_plays_twice_on_one_database(platform: Platform) -> None:
    matching = await platform.start("matching")

    class InProcess(DemoContext):
        def client(self, service: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=matching.app)
            return httpx.AsyncClient(transport=transport, base_url="http://matching")

    played = []
    for _ in range(2):  # the second play finds the first one's groups, rounds and proposals
        lines: list[str] = []
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
        played.append(ctx.shared)
    first, second = played
    assert first["matching.peer_group_id"] != second["matching.peer_group_id"]
    assert first["matching.gathering_id"] != second["matching.gathering_id"]
