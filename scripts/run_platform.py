"""``make run``: the whole platform on this machine, a demo, then serving until Ctrl-C.

1. RabbitMQ and PostgreSQL at AMQP_URL / DATABASE_URL (local defaults); when they do not
   answer and a Docker engine exists, they are started with docker compose; otherwise a
   clear message says which URL failed and how to start one.
2. A mail catcher on SMTP_HOST:SMTP_PORT when nothing listens there (mails in var/mail/).
3. The four services migrated, then started on ports 8001–8004, each its own process.
4. The demo of each service (``deformations_devtools.<service>.demo.play``), which publishes
   events.
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
from pathlib import Path

import httpx

from deformations_common.preflight import Unreachable, check_all, masked
from deformations_devtools.demo import DemoContext

ROOT = Path(__file__).resolve().parents[1]
PR_SET_PDEATHSIG = 1
SERVICES = {"diagnosis": 8001, "matching": 8002, "lending": 8003, "notifications": 8004}
DEMO_ORDER = ("lending", "diagnosis", "matching", "notifications")
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


def service_env(env: dict[str, str], name: str, port: int) -> dict[str, str]:
    return {
        **env,
        "SERVICE_NAME": name,
        "HTTP_PORT": str(port),
        "HTTP_HOST": "127.0.0.1",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_JSON": env.get("LOG_JSON", "false"),
    }


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


def _module_exists(path: str) -> bool:
    try:
        return importlib.util.find_spec(path) is not None
    except ModuleNotFoundError:  # the parent package is absent
        return False


async def play_demos(urls: dict[str, str]) -> None:
    context = DemoContext(urls=urls, say=lambda m: print(f"[demo] {m}", flush=True))
    for name in DEMO_ORDER:
        # A service's demo lives in the development tools; older ones still ship their own.
        found = next(
            (
                path
                for path in (f"deformations_devtools.{name}.demo", f"deformations_{name}.demo")
                if _module_exists(path)
            ),
            None,
        )
        if found is None:
            continue
        module = importlib.import_module(found)
        if not hasattr(module, "play"):
            continue
        say(f"demo of {name}…")
        await module.play(context)


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
        for name, port in SERVICES.items():
            subprocess.run(command(name, "migrate"), env=service_env(env, name, port), check=True)
        for name, port in SERVICES.items():
            processes[name] = subprocess.Popen(
                command(name, "serve"),
                env=service_env(env, name, port),
                cwd=ROOT,
                preexec_fn=die_with_parent,
            )
            children.append(processes[name])
        urls = {name: f"http://127.0.0.1:{port}" for name, port in SERVICES.items()}
        await wait_ready(urls, processes)
        await play_demos(urls)
        say("the platform runs; the quiz is at " + urls["diagnosis"] + "/quiz — Ctrl-C to stop")
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
