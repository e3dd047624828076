"""The demo of ``make run`` plays against a running matching service and the real broker,
as many times as ``make run`` is run on the same database."""

import asyncio
import importlib.util
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from aiosmtpd.smtp import SMTP
from platform_harness import Platform

from deformations_devtools.demo import DemoContext
from deformations_devtools.matching import demo
from deformations_devtools.portal.platforms import ILE_DE_FRANCE
from deformations_devtools.testing import wait_until

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


async def test_the_demo_plays_inside_an_ile_de_france_platform(platform: Platform) -> None:
    """Matching proposes nothing outside its territory: the demo plays in its Région."""
    matching = await platform.start("matching", platform_file=str(ILE_DE_FRANCE))

    class InProcess(DemoContext):
        def client(self, service: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=matching.app)
            return httpx.AsyncClient(transport=transport, base_url="http://matching")

    lines: list[str] = []
    ctx = InProcess(
        urls={"matching": "http://matching"},
        settings=matching.settings,
        say=lines.append,
        region="11",
    )
    await demo.play(ctx)
    text = "\n".join(lines)
    assert "Offre groupée pour 3 communes" in text
    assert "Groupe d'entraide (confirmed)" in text
    assert "Speed dating entre voisins (CC Gâtinais Val de Loing)" in text


class Mailbox:
    """An SMTP server that accepts every mail (the notifications demo sends some)."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.received += 1
        return "250 OK"


def run_platform() -> ModuleType:
    """``scripts/run_platform.py``, which finds and plays the demos of ``make run``."""
    path = Path(__file__).parents[1] / "scripts" / "run_platform.py"
    spec = importlib.util.spec_from_file_location("run_platform", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_every_demo_of_make_run_plays_twice_on_one_database(platform: Platform) -> None:
    launcher = run_platform()
    mailbox = Mailbox()
    loop = asyncio.get_running_loop()
    smtp = await loop.create_server(lambda: SMTP(mailbox, hostname="mailbox.local"), "127.0.0.1", 0)
    try:
        port = smtp.sockets[0].getsockname()[1]
        apps = {}
        for name in launcher.SERVICES:
            overrides = {"smtp_port": port} if name == "notifications" else {}
            apps[name] = (await platform.start(name, **overrides)).app
        settings = platform.services["matching"].settings

        class InProcess(DemoContext):
            def client(self, service: str) -> httpx.AsyncClient:
                transport = httpx.ASGITransport(app=apps[service])
                return httpx.AsyncClient(transport=transport, base_url=f"http://{service}")

        for play in range(2):
            lines: list[str] = []
            ctx = InProcess(
                urls={name: f"http://{name}" for name in apps}, settings=settings, say=lines.append
            )
            played = []
            for name in launcher.DEMO_ORDER:
                module = launcher.demo_module(name)
                if module is not None:
                    await module.play(ctx)
                    played.append(name)
            assert played == list(launcher.DEMO_ORDER), play
            assert "Groupe d'entraide (confirmed)" in "\n".join(lines), play
        assert mailbox.received > 0  # notifications' demo went as far as sending
    finally:
        smtp.close()
        await smtp.wait_closed()


async def test_every_demo_of_make_run_plays_in_ile_de_france(platform: Platform) -> None:
    """``make run PLATFORM=ile-de-france``: every demo plays in the Région, so its statistics
    (which count only the territory) have loans, enrolments, meetings and diagnoses to show,
    and nothing any demo published is from elsewhere (the Drôme's Crest…)."""
    launcher = run_platform()
    mailbox = Mailbox()
    loop = asyncio.get_running_loop()
    smtp = await loop.create_server(lambda: SMTP(mailbox, hostname="mailbox.local"), "127.0.0.1", 0)
    try:
        port = smtp.sockets[0].getsockname()[1]
        apps = {}
        for name in launcher.SERVICES:
            overrides: dict[str, object] = {"smtp_port": port} if name == "notifications" else {}
            if name in launcher.TERRITORIAL:
                overrides["platform_file"] = str(ILE_DE_FRANCE)
            apps[name] = (await platform.start(name, **overrides)).app
        settings = platform.services["matching"].settings

        class InProcess(DemoContext):
            def client(self, service: str) -> httpx.AsyncClient:
                transport = httpx.ASGITransport(app=apps[service])
                return httpx.AsyncClient(transport=transport, base_url=f"http://{service}")

        lines: list[str] = []
        ctx = InProcess(
            urls={name: f"http://{name}" for name in apps},
            settings=settings,
            say=lines.append,
            region=launcher.platform_region("ile-de-france"),
        )
        for name in launcher.DEMO_ORDER:
            module = launcher.demo_module(name)
            assert module is not None, name
            await module.play(ctx)
        text = "\n".join(lines)
        assert "Groupe d'entraide (confirmed)" in text
        assert "offre groupée du Gâtinais" in text
        assert "Crest" not in text and "Drôme" not in text
    finally:
        smtp.close()
        await smtp.wait_closed()
    stats = platform.services["statistics"]
    indicators = {"prets", "inscriptions", "rencontres", "diagnostics-familles"}

    async def counted() -> bool:
        found = await stats.runtime.pool.fetch("SELECT DISTINCT indicator FROM facts")
        return indicators <= {row["indicator"] for row in found}

    await wait_until(counted, timeout_s=60, what="the statistics counted every demo")
    places = await stats.runtime.pool.fetch("SELECT DISTINCT departement FROM facts")
    assert [row["departement"] for row in places] == ["77"]  # the Seine-et-Marne only
    operator = stats.auth("op", roles=("operator",))
    for indicator in sorted(indicators):
        answer = await stats.client.get(f"/v1/indicators/{indicator}", headers=operator)
        assert answer.status_code == 200, answer.text
        assert [row["name"] for row in answer.json()["rows"]] == ["Seine-et-Marne"], indicator
