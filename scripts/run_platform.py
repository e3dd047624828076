"""``make run``: the whole platform on this machine, a demo, then serving until Ctrl-C.

1. RabbitMQ and PostgreSQL at AMQP_URL / DATABASE_URL (local defaults); when they do not
   answer and a Docker engine exists, they are started with docker compose; otherwise a
   clear message says which URL failed and how to start one.
2. A mail catcher on SMTP_HOST:SMTP_PORT when nothing listens there (mails in var/mail/).
3. The one address, http://127.0.0.1:8000: Caddy with ``deploy/caddy/Caddyfile`` in front
   of the services (installed with apt-get when missing and this is root). Without it, a
   clear message, and each service is served on its own port only.
4. The services and the portal migrated, then started on ports 8001–8006, each its own
   process, with ``PUBLIC_URL`` and ``APP_URL`` at the one address so the links they render
   resolve there.
   Every service verifies the portal's tokens (its JWKS, issuer, and the service's name as
   audience), so « Mon espace » and the pages the e-mails link to show each person's data.
5. The demo of each service (``deformations_devtools.<service>.demo.play``), which publishes
   events, then the portal's demo accounts: the same people the demos acted as
   (``deformations_devtools.people``), with how to act as each person.

The platform is one of the demo Régions: ``PLATFORM=auvergne-rhone-alpes`` (the default,
around Crest) or ``PLATFORM=ile-de-france`` (in the Gâtinais, Seine-et-Marne); its TOML file
names the portal's platform, is the territory matching proposes in and the statistics
count, and gives the notifications their name and colour. Every demo, the portal's people
included, plays in its Région (``deformations_devtools.places``).
"""

import asyncio
import contextlib
import ctypes
import importlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from types import ModuleType

import httpx
import one_address

from deformations_common.preflight import Unreachable, check_all, masked
from deformations_common.settings import Environment
from deformations_devtools.demo import DemoContext
from deformations_devtools.portal import demo as portal_demo
from deformations_devtools.portal.platforms import FOLDER as PLATFORMS
from deformations_portal.settings import PortalSettings

ROOT = Path(__file__).resolve().parents[1]
PR_SET_PDEATHSIG = 1
SERVICES = {
    "diagnosis": 8001,
    "matching": 8002,
    "lending": 8003,
    "notifications": 8004,
    "portal": 8005,
    "training": 8006,
    "statistics": 8007,
}
DEMO_ORDER = ("lending", "diagnosis", "matching", "notifications", "training")
DEFAULT_PLATFORM = "auvergne-rhone-alpes"
# Who reads the platform's file: the portal all of it, matching and the statistics its
# territory (the Région's collectivités); notifications takes its name and colour instead.
TERRITORIAL = ("portal", "matching", "statistics")
# The one address of make run; each service also stays on its own port (docs, metrics).
ONE_ADDRESS = ("127.0.0.1", 8000)
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
COMPOSE_URLS = {
    "AMQP_URL": "amqp://admin:admin-dev-password@127.0.0.1:5672/",
    "DATABASE_URL": "postgresql://postgres:postgres-dev-password@127.0.0.1:5432/deformations",
}


def say(message: str) -> None:
    print(f"[make run] {message}", flush=True)


def listening(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


async def ensure_infrastructure(env: dict[str, str]) -> None:
    try:
        await check_all(env["DATABASE_URL"], env["AMQP_URL"])
        return
    except Unreachable as first:
        if not docker_engine():
            raise first
        say(f"{first}\nStarting RabbitMQ and PostgreSQL with docker compose…")
    subprocess.run(
        ["docker", "compose", "up", "-d", "--wait", "rabbitmq", "postgres", "mailcatcher"],
        cwd=ROOT,
        check=True,
    )
    env.update(COMPOSE_URLS)
    env.setdefault("SMTP_PORT", "1025")
    await check_all(env["DATABASE_URL"], env["AMQP_URL"])


def start_mail_catcher(env: dict[str, str]) -> subprocess.Popen[bytes] | None:
    host, port = env.get("SMTP_HOST", "127.0.0.1"), int(env.get("SMTP_PORT", "1025"))
    env["SMTP_HOST"], env["SMTP_PORT"] = host, str(port)
    if listening(host, port):
        say(f"mails go to the SMTP server already listening on {host}:{port}")
        return None
    catcher = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "mail_catcher.py"), "--port", str(port)],
        cwd=ROOT,
        preexec_fn=die_with_parent,
    )
    deadline = time.monotonic() + 15
    while not listening(host, port):
        if time.monotonic() > deadline or catcher.poll() is not None:
            raise RuntimeError(f"the mail catcher did not start on {host}:{port}")
        time.sleep(0.1)
    return catcher


def service_env(
    env: dict[str, str], name: str, port: int, address: str | None = None
) -> dict[str, str]:
    public = one_address.public_url(name, address) if address else None
    return {
        **env,
        **tokens_env(name, address),
        **platform_env(name, env.get("PLATFORM", DEFAULT_PLATFORM)),
        "SERVICE_NAME": name,
        # A local run with the dev issuer and dev secrets: never the default (fail closed).
        "ENVIRONMENT": "dev",
        "HTTP_PORT": str(port),
        "HTTP_HOST": "127.0.0.1",
        "PUBLIC_URL": public or f"http://127.0.0.1:{port}",
        "LOG_JSON": env.get("LOG_JSON", "false"),
    }


def portal_issuer(address: str | None) -> str:
    """The ``iss`` of the portal's tokens: its public address."""
    public = one_address.public_url("portal", address) if address else None
    return public or f"http://127.0.0.1:{SERVICES['portal']}"


def platform_file(platform: str) -> Path:
    """The TOML file of the demo Région ``platform`` (its stem)."""
    path = PLATFORMS / f"{platform}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PLATFORMS.glob("*.toml")))
        raise SystemExit(f"PLATFORM={platform} is not a demo platform ({known})")
    return path


def platform_region(platform: str) -> str:
    """The COG code of the demo Région's région: the demos play inside it."""
    with platform_file(platform).open("rb") as source:
        return str(tomllib.load(source).get("region", ""))


def platform_env(name: str, platform: str) -> dict[str, str]:
    """The demo Région ``platform`` (a TOML file's stem) for the service ``name``."""
    path = platform_file(platform)
    if name in TERRITORIAL:
        return {"PLATFORM_FILE": str(path)}
    if name == "notifications":
        with path.open("rb") as source:
            described = tomllib.load(source)
        return {
            "PLATFORM_NAME": described["name"],
            "PLATFORM_COLOUR": described["palette"]["primary"],
        }
    return {}


def tokens_env(name: str, address: str | None) -> dict[str, str]:
    """One site: every service verifies the tokens the portal issues for its audience.

    The services also accept the dev issuer's tokens because they run with ENVIRONMENT=dev
    (the demos act through it); anywhere else only the portal's tokens pass."""
    issuer = portal_issuer(address)
    if name == "portal":
        return {"TOKEN_ISSUER": issuer}
    return {
        "JWT_JWKS_URL": f"http://127.0.0.1:{SERVICES['portal']}/.well-known/jwks.json",
        "JWT_ISSUER": issuer,
        "JWT_AUDIENCE": name,
    }


def app_url(address: str | None) -> str:
    """Where notifications' e-mail links lead: the pages, at the one address if it is up."""
    return address or f"http://127.0.0.1:{SERVICES.get(one_address.HOME, 8001)}"


def start_one_address() -> tuple[str, subprocess.Popen[bytes]] | None:
    """Caddy at the one address, or None (with the reason said) to serve on own ports."""
    host, port = ONE_ADDRESS
    fallback = "each service is served on its own port only (ports 8001–8006)"
    caddy = one_address.install_caddy(say)
    if caddy is None:
        say(f"Caddy is not installed (as root: apt-get install caddy): {fallback}")
        return None
    if listening(host, port):
        say(f"{host}:{port} is already taken: {fallback}")
        return None
    state = ROOT / "var" / "caddy"
    state.mkdir(parents=True, exist_ok=True)
    address = f"http://{host}:{port}"
    upstreams = {name: f"127.0.0.1:{p}" for name, p in SERVICES.items()}
    with (state / "caddy.log").open("ab") as log:
        proxy = subprocess.Popen(
            [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env={**os.environ, **one_address.caddy_env(address, upstreams, str(state))},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            preexec_fn=die_with_parent,
        )
    deadline = time.monotonic() + 15
    while not listening(host, port):
        if time.monotonic() > deadline or proxy.poll() is not None:
            if proxy.poll() is None:
                proxy.terminate()
            say(f"Caddy did not start (see var/caddy/caddy.log): {fallback}")
            return None
        time.sleep(0.1)
    say(f"Caddy serves the one address {address} (log: var/caddy/caddy.log)")
    return address, proxy


def die_with_parent() -> None:
    """Children end with this launcher even when it is killed without a chance to clean up."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def command(name: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"deformations_{name}.main", *args]


async def wait_ready(urls: dict[str, str], processes: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(timeout=2) as client:
        pending = set(urls)
        while pending:
            for name in sorted(pending):
                if processes[name].poll() is not None:
                    raise RuntimeError(f"{name} stopped (exit {processes[name].returncode})")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{urls[name]}/readyz")).status_code == 200:
                        pending.discard(name)
                        say(f"{name} ready at {urls[name]} (API docs: {urls[name]}/docs)")
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"not ready after 90 s: {', '.join(sorted(pending))}")
            await asyncio.sleep(0.3)


async def check_one_address(address: str) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.get(f"{address}/quiz")
    if answer.status_code != 200:
        say(f"warning: {address}/quiz answers {answer.status_code} (see var/caddy/caddy.log)")


async def play_demos(urls: dict[str, str], region: str) -> None:
    context = DemoContext(urls=urls, say=lambda m: print(f"[demo] {m}", flush=True), region=region)
    for name in DEMO_ORDER:
        module = demo_module(name)
        if module is None or not hasattr(module, "play"):
            continue
        say(f"demo of {name}…")
        await module.play(context)


def demo_module(name: str) -> ModuleType | None:
    """A service's demo scenario, in devtools (demo support never ships in ``src``)."""
    path = f"deformations_devtools.{name}.demo"
    with contextlib.suppress(ModuleNotFoundError):
        if importlib.util.find_spec(path) is not None:
            return importlib.import_module(path)
    return None


async def main() -> int:
    env = dict(os.environ)
    env.setdefault("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    env.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await ensure_infrastructure(env)
    except Unreachable as exc:
        print(f"\n{exc}\n", file=sys.stderr)
        return 2
    say(f"broker {masked(env['AMQP_URL'])}, database {masked(env['DATABASE_URL'])}")
    children: list[subprocess.Popen[bytes]] = []
    catcher = start_mail_catcher(env)
    if catcher:
        children.append(catcher)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        proxy = start_one_address()
        address = proxy[0] if proxy else None
        if proxy:
            children.append(proxy[1])
            processes["proxy"] = proxy[1]
        env.setdefault("APP_URL", app_url(address))
        for name, port in SERVICES.items():
            subprocess.run(
                command(name, "migrate"), env=service_env(env, name, port, address), check=True
            )
        for name, port in SERVICES.items():
            processes[name] = subprocess.Popen(
                command(name, "serve"),
                env=service_env(env, name, port, address),
                cwd=ROOT,
                preexec_fn=die_with_parent,
            )
            children.append(processes[name])
        urls = {name: f"http://127.0.0.1:{port}" for name, port in SERVICES.items()}
        await wait_ready(urls, processes)
        if address:
            await check_one_address(address)
        region = platform_region(env.get("PLATFORM", DEFAULT_PLATFORM))
        await play_demos(urls, region)
        await portal_demo.play(
            # People sign in where they browse: the one address when Caddy is up.
            PortalSettings(
                database_url=env["DATABASE_URL"],
                app_url=address or urls["portal"],
                environment=Environment.DEV,  # a local run, like the services it started
            ),
            say=lambda m: print(f"[demo] {m}", flush=True),
            region=region,
        )
        if address:
            say(
                f"the platform runs at {address}: the portal at {address}/, the quiz at "
                f"{address}/quiz, the APIs under "
                f"{address}/api/<service>/ (docs and metrics on each service's own port)"
                " — Ctrl-C to stop"
            )
        else:
            say(f"the platform runs; the quiz is at {urls['diagnosis']}/quiz — Ctrl-C to stop")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        while not stop.is_set():
            for name, process in processes.items():
                if process.poll() is not None:
                    say(f"{name} stopped (exit {process.returncode})")
                    return 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1)
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=20)
        say("stopped")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
