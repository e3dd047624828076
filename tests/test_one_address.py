"""The one address, on the real Caddy: routes, prefix stripping, refused operations paths,
and the links of real pages resolving there.

Caddy runs with the committed ``deploy/caddy/Caddyfile`` (the one compose and ``make run``
use) on a free port, in front of small recording upstreams, then of the real diagnosis and
notifications (and training) services on the real broker and database.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from deformations_common.auth import issue_dev_token
from deformations_common.service import create_app
from deformations_devtools.testing import (
    Infra,
    delete_broker_objects,
    isolated_settings,
    wait_until,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
CADDY = shutil.which("caddy")
if CADDY is None:
    pytest.skip(
        "no caddy binary: apt-get install caddy (.ci/run and make run install it)",
        allow_module_level=True,
    )
sys.path.insert(0, str(ROOT / "scripts"))
routes: ModuleType = importlib.import_module("one_address")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def start_caddy(upstreams: dict[str, str], state: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Caddy with the committed Caddyfile on a free port, its log in ``state``."""
    assert CADDY is not None
    port = free_port()
    state.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update(routes.caddy_env(f"http://127.0.0.1:{port}", upstreams, str(state)))
    with (state / "caddy.log").open("wb") as out:
        process = subprocess.Popen(
            [CADDY, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, port


@asynccontextmanager
async def caddy(upstreams: dict[str, str], state: Path) -> AsyncIterator[str]:
    """The real Caddy in front of ``upstreams`` until the block ends; yields its address."""
    process, port = start_caddy(upstreams, state)
    address = f"http://127.0.0.1:{port}"
    log = state / "caddy.log"
    try:
        await wait_until(
            lambda: answers("127.0.0.1", port) or process.poll() is not None,
            what="caddy listening",
        )
        assert process.poll() is None, f"caddy stopped: {log.read_text(errors='replace')}"
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Small recording upstreams ---------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Upstream:
    name: str
    server: ThreadingHTTPServer
    seen: list[Seen] = field(default_factory=list)

    @property
    def hostport(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host!s}:{port}"


def recording_upstream(name: str) -> Upstream:
    seen: list[Seen] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
            payload = json.dumps({"service": name, "path": self.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name=f"upstream-{name}", daemon=True).start()
    return Upstream(name, server, seen)


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, Upstream]]:
    started = {s.name: recording_upstream(s.name) for s in routes.services()}
    yield started
    for upstream in started.values():
        upstream.server.shutdown()
        upstream.server.server_close()


@pytest.fixture(scope="module")
async def proxy(
    upstreams: dict[str, Upstream], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    state = tmp_path_factory.mktemp("caddy")
    async with caddy({n: u.hostport for n, u in upstreams.items()}, state) as address:
        yield address


def forget(upstreams: dict[str, Upstream]) -> None:
    for upstream in upstreams.values():
        upstream.seen.clear()


def reached(upstreams: dict[str, Upstream]) -> list[tuple[str, str]]:
    return [(u.name, s.path) for u in upstreams.values() for s in u.seen]


ROUTED = [
    ("/", routes.HOME, "/"),
    ("/quiz", "diagnosis", "/quiz"),
    ("/resultats/7b0f7c4e?x=1", "diagnosis", "/resultats/7b0f7c4e?x=1"),
    ("/c/abc/collectif", "diagnosis", "/c/abc/collectif"),
    ("/v1/unsubscribe?token=abc.def", "notifications", "/v1/unsubscribe?token=abc.def"),
    ("/v1/relay/reply?token=t", "notifications", "/v1/relay/reply?token=t"),
    ("/api/diagnosis/v1/questionnaires/current", "diagnosis", "/v1/questionnaires/current"),
    ("/api/matching/v1/proposals?limit=5", "matching", "/v1/proposals?limit=5"),
    ("/api/lending/v1/loans/1/convention.pdf", "lending", "/v1/loans/1/convention.pdf"),
    ("/api/notifications/v1/me/recipient", "notifications", "/v1/me/recipient"),
    ("/api/training/v1/offers/search?theme=energie", "training", "/v1/offers/search?theme=energie"),
    ("/formations/parcours", routes.HOME, "/formations/parcours"),
    ("/api/lending/v1/metrics", "lending", "/v1/metrics"),
    ("/api/lending/v1/operationsx", "lending", "/v1/operationsx"),
    ("/.well-known/jwks.json", routes.HOME, "/.well-known/jwks.json"),
]


@pytest.mark.parametrize(("path", "service", "seen_path"), ROUTED)
async def test_each_path_reaches_its_service_with_the_prefix_stripped(
    proxy: str, upstreams: dict[str, Upstream], path: str, service: str, seen_path: str
) -> None:
    forget(upstreams)
    async with httpx.AsyncClient(base_url=proxy) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.json() == {"service": service, "path": seen_path}
    assert reached(upstreams) == [(service, seen_path)]
    expected = routes.route(urlsplit(path).path)
    assert expected is not None and (expected.service, expected.path) == (
        service,
        urlsplit(seen_path).path,
    )


def operations_paths() -> list[str]:
    paths = []
    for op in routes.OPERATIONS:
        paths += [op, f"{op}/x", op.upper()]
        paths += [f"/api/{s.name}{op}" for s in routes.UPSTREAMS if s.api]
    # Spellings a client may use to slip past a naive matcher.
    paths += ["/met%72ics", "/api/lending/met%72ics", "//metrics", "/api/lending//metrics"]
    paths += ["/docs/oauth2-redirect", "/api/diagnosis/docs/oauth2-redirect"]
    return paths


NOBODYS = ["/api/unknown/v1/x", "/api", "/api/lending", "/v1/questionnaires", "/v1"]


@pytest.mark.parametrize("path", [*operations_paths(), *NOBODYS])
async def test_operations_and_unknown_paths_are_404_at_the_proxy(
    proxy: str, upstreams: dict[str, Upstream], path: str
) -> None:
    forget(upstreams)
    async with httpx.AsyncClient(base_url=proxy) as client:
        response = await client.send(client.build_request("GET", proxy + path))
    assert response.status_code == 404
    assert reached(upstreams) == [], "the proxy forwarded a path it must refuse"


async def test_methods_bodies_and_the_public_host_go_through(
    proxy: str, upstreams: dict[str, Upstream]
) -> None:
    forget(upstreams)
    async with httpx.AsyncClient(base_url=proxy) as client:
        response = await client.post(
            "/api/lending/v1/loans",
            json={"offer_id": "o-1"},
            headers={"Authorization": "Bearer abc"},
        )
    assert response.status_code == 200
    (seen,) = upstreams["lending"].seen
    assert (seen.method, seen.path) == ("POST", "/v1/loans")
    assert json.loads(seen.body) == {"offer_id": "o-1"}
    assert seen.headers["Authorization"] == "Bearer abc"
    # The service sees the public host, and who asked, as a reverse proxy says it.
    assert seen.headers["Host"] == urlsplit(proxy).netloc
    assert seen.headers["X-Forwarded-Proto"] == "http"
    assert seen.headers["X-Forwarded-For"] == "127.0.0.1"


# --- Real services behind the one address ----------------------------------------------


@dataclass
class Served:
    url: str
    settings: Any  # the service's own settings class
    app: FastAPI


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[uvicorn.Server]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Platform:
    address: str
    services: dict[str, Served]


@pytest.fixture
async def platform(
    infra: Infra, database_url: str, namespace: str, tmp_path: Path
) -> AsyncIterator[Platform]:
    from deformations_diagnosis.app import definition as diagnosis
    from deformations_diagnosis.settings import DiagnosisSettings
    from deformations_notifications.app import definition as notifications
    from deformations_notifications.settings import NotificationsSettings
    from deformations_training.app import definition as training
    from deformations_training.settings import TrainingSettings

    ports = {"diagnosis": free_port(), "notifications": free_port(), "training": free_port()}
    upstreams = {name: f"127.0.0.1:{port}" for name, port in ports.items()}
    async with caddy(upstreams, tmp_path / "caddy") as address:
        settings: dict[str, Any] = {
            "diagnosis": isolated_settings(
                DiagnosisSettings,
                infra,
                database_url,
                namespace,
                "diagnosis",
                http_port=ports["diagnosis"],
                public_url=routes.public_url("diagnosis", address),
            ),
            "notifications": isolated_settings(
                NotificationsSettings,
                infra,
                database_url,
                namespace,
                "notifications",
                http_port=ports["notifications"],
                public_url=routes.public_url("notifications", address),
                app_url=address,
            ),
            "training": isolated_settings(
                TrainingSettings,
                infra,
                database_url,
                namespace,
                "training",
                http_port=ports["training"],
                public_url=routes.public_url("training", address),
                jobs_interval_s=0,
            ),
        }
        apps = {
            "diagnosis": create_app(diagnosis(settings["diagnosis"])),
            "notifications": create_app(notifications(settings["notifications"])),
            "training": create_app(training(settings["training"])),
        }
        with (
            serving(apps["diagnosis"], ports["diagnosis"]) as first,
            serving(apps["notifications"], ports["notifications"]) as second,
            serving(apps["training"], ports["training"]) as third,
        ):
            try:
                await wait_until(
                    lambda: first.started and second.started and third.started,
                    timeout_s=60,
                    what="diagnosis, notifications and training serving",
                )
                served = {
                    name: Served(f"http://127.0.0.1:{ports[name]}", settings[name], apps[name])
                    for name in ports
                }
                yield Platform(address, served)
            finally:
                for name, app in apps.items():
                    subscriptions = app.state.definition.handlers.subscriptions
                    await delete_broker_objects(infra.amqp_url, settings[name], subscriptions)


class Page(HTMLParser):
    """The links and the first form of an HTML page, as a browser without JavaScript sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.form: dict[str, str] | None = None
        self.fields: list[tuple[str, str, str]] = []  # (kind, name, value)
        self._in_form = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form" and self.form is None:
            self.form = {"action": a.get("action", ""), "method": a.get("method", "get")}
            self._in_form = True
        elif self._in_form and tag == "input":
            self.fields.append((a.get("type", "text"), a.get("name", ""), a.get("value", "")))
        elif self._in_form and tag == "button" and a.get("name"):
            self.fields.append(("button", a["name"], a.get("value", "")))
        elif self._in_form and tag == "select":
            self._select = a.get("name", "")
        elif self._select and tag == "option" and a.get("value"):
            self.fields.append(("select", self._select, a["value"]))
            self._select = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False

    def filled(self) -> dict[str, str]:
        """Hidden fields kept, the first choice of each question, the last button
        (« Suivant », « Voir mon résultat »)."""
        values: dict[str, str] = {}
        for kind, name, value in self.fields:
            if kind in ("hidden", "button") or (kind != "submit" and name not in values):
                values[name] = value
        return values


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


# The services this module serves behind the one address (the portal is not among them).
SERVED = frozenset({"diagnosis", "notifications", "training"})


async def follow_every_link(client: httpx.AsyncClient, address: str, html: str) -> set[str]:
    """Fetch each link of a page at the one address; the links followed, all opened. A
    link to the portal (not served here) is checked to be routed to it, and returned."""
    followed = set()
    for href in parsed(html).links:
        if href.startswith("#"):
            continue
        url = urljoin(address + "/", href)
        assert url.startswith(address), f"{href} leaves the one address"
        routed = routes.route(urlsplit(url).path)
        assert routed is not None, f"{href} is routed nowhere"
        if routed.service not in SERVED:
            assert routed.service == "portal", href
            followed.add(href)
            continue
        answer = await client.get(url)
        assert answer.status_code == 200, f"{href} answers {answer.status_code} at {address}"
        followed.add(href)
    return followed


async def answer_the_quiz(client: httpx.AsyncClient, address: str, url: str) -> str:
    """Answer every page like a person would, through the one address; the result's URL."""
    page = await client.get(url)
    for _ in range(30):
        assert page.status_code == 200, page.text
        form = parsed(page.text)
        assert form.form is not None, page.text
        target = urljoin(str(page.url), form.form["action"])
        assert target.startswith(address), f"the form posts to {target}"
        if form.form["method"].lower() == "get":
            page = await client.get(target, params=form.filled())
            continue
        posted = await client.post(target, data=form.filled())
        if posted.status_code == 303:
            location = posted.headers["Location"]
            result = urljoin(target, location)
            assert result.startswith(address + "/resultats/"), location
            return result
        page = posted
    raise AssertionError("the quiz never ended")


async def test_the_quiz_and_its_result_work_at_the_one_address(platform: Platform) -> None:
    address = platform.address
    async with httpx.AsyncClient() as client:
        if routes.HOME == "diagnosis":
            home = await client.get(address + "/")
            assert home.status_code == 303
            assert urljoin(address + "/", home.headers["Location"]) == f"{address}/quiz"
        result = await answer_the_quiz(client, address, f"{address}/quiz")
        page = await client.get(result)
        assert page.status_code == 200
        assert '<html lang="fr"' in page.text
        followed = await follow_every_link(client, address, page.text)
        # The next step leads to the portal's page of the training offers that fit it.
        assert any(href.startswith("/formations/prochain-pas?pas=") for href in followed)


async def test_a_campaign_made_through_the_api_prefix_opens_at_the_one_address(
    platform: Platform,
) -> None:
    address = platform.address
    diagnosis = platform.services["diagnosis"]
    token = issue_dev_token(diagnosis.settings, "formatrice", roles=["trainer"])
    async with httpx.AsyncClient() as client:
        opened = await client.post(
            f"{address}/api/diagnosis/v1/campaigns",
            json={
                "team_kind": "intercommunality",
                "collectivite_siren": "242600534",  # the CC du Diois, as the demo's
                "signed_in_only": False,
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert opened.status_code == 201, opened.text
        campaign = opened.json()
        result = await answer_the_quiz(client, address, address + campaign["quiz_page"])
        page = await client.get(result)
        assert page.status_code == 200
        # The result links to the team's collective page (the answer was shared).
        followed = await follow_every_link(client, address, page.text)
        assert campaign["collective_page"] in followed
        collective = await client.get(address + campaign["collective_page"])
        assert collective.status_code == 200
        await follow_every_link(client, address, collective.text)


async def test_operations_stay_on_the_service_port_only(platform: Platform) -> None:
    async with httpx.AsyncClient() as client:
        for name, served in platform.services.items():
            for path in ("/metrics", "/openapi.json", "/docs", "/asyncapi.json"):
                assert (await client.get(served.url + path)).status_code == 200, path
                public = f"{platform.address}/api/{name}{path}"
                assert (await client.get(public)).status_code == 404, public
                assert (await client.get(platform.address + path)).status_code == 404
            # The operators' API: served on the service's port (a token needed), never at
            # the one address, where the portal does not call it.
            path = "/v1/operations/dead-letters"
            assert (await client.get(served.url + path)).status_code == 401, path
            public = f"{platform.address}/api/{name}{path}"
            assert (await client.get(public)).status_code == 404, public


async def test_the_e_mail_links_of_notifications_open_its_pages_at_the_one_address(
    platform: Platform,
) -> None:
    notifications = platform.services["notifications"]
    # The links the service writes in its e-mails, as its settings build them.
    links = [notifications.settings.unsubscribe_url, notifications.settings.relay_reply_url]
    async with httpx.AsyncClient() as client:
        for link in links:
            assert link.startswith(platform.address + "/"), link
            path = urlsplit(link).path
            # Without a valid token the page says so; the same page as on the service's port.
            public = await client.get(link, params={"token": "not-a-token"})
            direct = await client.get(notifications.url + path, params={"token": "not-a-token"})
            assert public.status_code == direct.status_code
            assert public.status_code != 404, link
            assert public.text == direct.text
            assert '<html lang="fr"' in public.text


async def test_training_answers_the_portal_through_its_api_prefix(platform: Platform) -> None:
    """The portal's calls (SERVICE_URLS at the one address) reach the real training API."""
    training = platform.services["training"]
    token = issue_dev_token(training.settings, "une-elue", roles=["elected"])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient() as client:
        public = await client.get(f"{platform.address}/api/training/v1/recipes", headers=headers)
        direct = await client.get(f"{training.url}/v1/recipes", headers=headers)
        assert public.status_code == 200, public.text
        assert public.json() == direct.json() and public.json()
        # The person's token goes through the proxy: signed in, their programmes (none yet).
        mine = await client.get(f"{platform.address}/api/training/v1/programmes", headers=headers)
        assert (mine.status_code, mine.json()) == (200, [])
        anonymous = await client.get(f"{platform.address}/api/training/v1/programmes")
        assert anonymous.status_code == 401, anonymous.text
        # A page of the portal's at the root is not training's.
        routed = routes.route("/formations")
        assert routed is not None and routed.service == routes.HOME


# --- make run's start of Caddy ---------------------------------------------------------


def test_make_run_starts_caddy_at_its_address_or_says_why_not(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = importlib.util.spec_from_file_location(
        "run_platform", ROOT / "scripts" / "run_platform.py"
    )
    assert spec is not None and spec.loader is not None
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setattr(launcher, "ONE_ADDRESS", taken.getsockname())
        assert launcher.start_one_address() is None
    assert "already taken" in capsys.readouterr().out
    port = free_port()
    monkeypatch.setattr(launcher, "ONE_ADDRESS", ("127.0.0.1", port))
    started = launcher.start_one_address()
    assert started is not None
    address, process = started
    try:
        assert address == f"http://127.0.0.1:{port}"
        assert httpx.get(f"{address}/metrics").status_code == 404
        assert httpx.get(f"{address}/api/unknown/x").status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=15)
