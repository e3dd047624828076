"""Real collaborators for the portal's tests: the npm OIDC provider, an SMTP catcher,
axe-core in the page, and people made through the portal's own use cases."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from aiosmtpd.controller import Controller

from deformations_common import db, outbox
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_contracts.base import EventData
from deformations_devtools.testing import free_port
from deformations_portal.service.uow import PortalUow
from deformations_portal.settings import PortalSettings

OIDC_DIR = Path(__file__).resolve().parents[4] / "tests" / "oidc"


def npm_installed() -> Path:
    """tests/oidc with its pinned packages (``npm ci`` from the lock when missing)."""
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed for the test OIDC provider and axe-core")
        subprocess.run(  # noqa: S603 - fixed command in the repository's folder
            [npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True
        )
    return OIDC_DIR


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


@contextmanager
def oidc_provider(portal_url: str, *, siret: str = "21260108200011") -> Iterator[OidcProvider]:
    """npm's oidc-provider in its own process, one client: the portal at ``portal_url``."""
    folder = npm_installed()
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": "deformations-portal",
        "CLIENT_SECRET": "test-secret-of-the-portal",
        "REDIRECT_URI": f"{portal_url}/connexion/oidc/retour",
        "POST_LOGOUT_URI": f"{portal_url}/",
        "SIRET": siret,
    }
    node = shutil.which("node") or "node"
    process = subprocess.Popen(  # noqa: S603 - fixed script of the repository
        [node, "provider.mjs"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "listening on" in line:
                break
        else:
            raise RuntimeError("the OIDC provider did not start")
        # Keep reading its output so it never blocks on a full pipe.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield OidcProvider(f"http://127.0.0.1:{port}", env["CLIENT_ID"], env["CLIENT_SECRET"])
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Inbox:
    messages: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def link_to(self, address: str) -> str:
        """The sign-in link of the latest mail to ``address``."""
        body = self.to(address)[-1].get_content()
        found = re.search(r"https?://\S+/connexion/lien\?jeton=\S+", body)
        assert found, body
        return found.group(0)


@contextmanager
def smtp_catcher() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(
  v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})
)));
"""


def axe_violations(driver: Any, impacts: Sequence[str] = ("serious", "critical")) -> list[Any]:
    """Serious and critical axe-core violations of the page open in ``driver``."""
    source = (npm_installed() / "node_modules" / "axe-core" / "axe.min.js").read_text()
    driver.execute_script(source)
    assert driver.execute_script("return window.axe && axe.version"), "axe-core did not load"
    driver.set_script_timeout(30)
    found: list[Any] = driver.execute_async_script(AXE_RUN)
    return [v for v in found if v["impact"] in impacts]


AXE_SUMMARY = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done({
  version: r.testEngine.version,
  passes: r.passes.length,
  violations: r.violations.map(v => v.impact),
}));
"""

IMPACTS = ("critical", "serious", "moderate", "minor")


def axe_summary(driver: Any) -> dict[str, Any]:
    """axe-core's figures for the page open in ``driver``: its version, the number of rules
    the page passes and its violations counted by impact (what the accessibility statement
    publishes)."""
    source = (npm_installed() / "node_modules" / "axe-core" / "axe.min.js").read_text()
    driver.execute_script(source)
    driver.set_script_timeout(30)
    found: dict[str, Any] = driver.execute_async_script(AXE_SUMMARY)
    impacts = list(found["violations"])
    return {
        "version": found["version"],
        "passes": found["passes"],
        "violations": {impact: impacts.count(impact) for impact in IMPACTS},
    }


class Portal:
    """The portal's use cases over its own database, as a test or the demo sets people up."""

    def __init__(self, settings: PortalSettings, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.clock = clock

    async def run(self, use_case: Any, *args: Any) -> Any:
        pool = await db.create_pool(
            self.settings.database_url, self.settings.schema_name, min_size=1, max_size=1
        )
        settings = self.settings
        try:
            async with pool.acquire() as conn, conn.transaction():

                async def record(c: Any, events: Sequence[EventData]) -> list[UUID]:
                    return await outbox.enqueue_many(
                        c, events, source=settings.service_name, schema=settings.schema_name
                    )

                return await use_case(PortalUow(conn, settings, self.clock, record), *args)
        finally:
            await pool.close()
