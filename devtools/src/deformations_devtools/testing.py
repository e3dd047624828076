"""Test support shared by every suite: real services, isolation, waiting on conditions.

Tests run against the RabbitMQ and PostgreSQL given by ``TEST_AMQP_URL`` and
``TEST_DATABASE_URL`` when set, and against throw-away testcontainers otherwise. Each
test gets its own database and its own exchange and queue names, so suites can run
side by side on one broker.
"""

import asyncio
import glob
import inspect
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from deformations_common.settings import Environment, ServiceSettings
from deformations_common.topology import Subscription, Topology

S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True)
class Infra:
    amqp_url: str
    admin_database_url: str


def _start_containers(stack: ExitStack) -> Infra:
    from testcontainers.postgres import PostgresContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    rabbit = stack.enter_context(RabbitMqContainer("rabbitmq:3.10-management"))
    postgres = stack.enter_context(PostgresContainer("postgres:15", driver=None))
    params = rabbit.get_connection_params()
    amqp = f"amqp://{rabbit.username}:{rabbit.password}@{params.host}:{params.port}/"
    return Infra(amqp, postgres.get_connection_url())


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def create_database(admin_url: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def wait_until(
    condition: Callable[[], Awaitable[bool] | bool],
    *,
    timeout_s: float = 20.0,
    interval_s: float = 0.05,
    what: str = "condition",
) -> None:
    """Poll ``condition`` until true; fail with ``what`` after the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        await asyncio.sleep(interval_s)


def isolated_settings(
    settings_cls: type[S],
    infra: Infra,
    database_url: str,
    namespace: str,
    service_name: str,
    **overrides: Any,
) -> S:
    values: dict[str, Any] = {
        "service_name": service_name,
        "environment": Environment.TEST,
        "amqp_url": infra.amqp_url,
        "database_url": database_url,
        "events_exchange": f"deformations.events.{namespace}",
        "queue_prefix": f"{namespace}.",
        "retry_delays_ms": [200, 400],
        "max_attempts": 3,
        "outbox_poll_interval_s": 0.5,
        "log_json": True,
        "log_level": "WARNING",
        # Tests submit many forms from one address; a test of the limits turns them on.
        "rate_limits_enabled": False,
    }
    values.update(overrides)
    _namespaces.add(namespace)
    return settings_cls(**values)


# Namespaces handed to test services in this session: what the sweep at its end removes.
_namespaces: set[str] = set()


async def _broker_names(kind: str) -> list[str]:
    """Names of the local broker's queues or exchanges, read with ``rabbitmqctl``."""
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl",
        "-q",
        f"list_{kind}",
        "name",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    except TimeoutError:
        process.kill()
        return []
    return out.decode().split() if process.returncode == 0 else []


async def sweep_leftovers(amqp_url: str, namespaces: set[str]) -> int:
    """Delete the queues and exchanges of ``namespaces`` still on the broker: a test that
    stops without cleaning up (a failure, a timeout) must not leave quorum queues behind,
    which pile up on a shared broker run after run. Best effort, local broker only (a
    testcontainer is thrown away whole). Returns how many objects were deleted."""
    address = urlsplit(amqp_url)
    # rabbitmqctl talks to the machine's own node, the one on the default port; a run's
    # node of its own (scripts/with-services) is removed whole at the end.
    local = address.hostname in ("127.0.0.1", "localhost") and address.port in (None, 5672)
    if not namespaces or not local or not shutil.which("rabbitmqctl"):
        return 0

    def ours(name: str) -> bool:
        head = name.removeprefix("deformations.events.").split(".", 1)[0]
        return head in namespaces

    queues = [q for q in await _broker_names("queues") if ours(q)]
    exchanges = [e for e in await _broker_names("exchanges") if ours(e)]
    if not queues and not exchanges:
        return 0
    connection = await aio_pika.connect(amqp_url, timeout=10)
    try:
        channel = await connection.channel()
        for queue in queues:
            await channel.queue_delete(queue)
        for exchange in exchanges:
            await channel.exchange_delete(exchange)
    finally:
        await connection.close()
    return len(queues) + len(exchanges)


async def delete_broker_objects(
    amqp_url: str, settings: ServiceSettings, subscriptions: list[Subscription]
) -> None:
    """Best-effort removal of what a test service declared: its queues and exchanges."""
    topology = Topology(settings)
    queues = []
    for subscription in subscriptions:
        queues.append(topology.queue_name(subscription))
        queues.append(topology.dead_letter_queue(subscription).name)
        queues += [q.name for q in topology.retry_queues(subscription)]
    connection = await aio_pika.connect(amqp_url)
    try:
        for name in queues:
            with suppress(aio_pika.exceptions.AMQPError):
                await (await connection.channel()).queue_delete(name)
        retry_exchanges = {topology.retry_exchange(s.service).name for s in subscriptions}
        for name in (settings.events_exchange, settings.dead_letter_exchange, *retry_exchanges):
            with suppress(aio_pika.exceptions.AMQPError):
                await (await connection.channel()).exchange_delete(name)
    finally:
        await connection.close()


async def tap(
    stack: AsyncExitStack, amqp_url: str, exchange: str, routing_key: str
) -> aio_pika.abc.AbstractQueue:
    """A throw-away queue receiving every event published on ``exchange`` with
    ``routing_key``, open until ``stack`` closes (the exchange must exist)."""
    connection = await aio_pika.connect(amqp_url)
    stack.push_async_callback(connection.close)
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key=routing_key)
    return queue


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan (migrations, consumers, relay) and give an HTTP client."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


@dataclass
class Traces:
    """Spans of the services of one test, kept in memory; nothing global is installed.

    Give each service ``provider(name)`` as its ``ServiceDefinition.tracer_provider``."""

    exporter: InMemorySpanExporter

    def provider(self, service_name: str) -> TracerProvider:
        provider = TracerProvider(
            resource=Resource.create({SERVICE_NAME: service_name}), shutdown_on_exit=False
        )
        provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        return provider

    def spans(self) -> tuple[ReadableSpan, ...]:
        """Every span ended so far, in the order they ended."""
        return self.exporter.get_finished_spans()


_handed_ports: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, never the same twice in a run (servers bind it later)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if port not in _handed_ports:
            _handed_ports.add(port)
            return port


class OwnPostgres:
    """A PostgreSQL server of the test's own, in a temporary directory on a free port:
    a fault test stops and restarts it, never the machine's shared server.

    ``initdb`` refuses to run as root: as root, the server runs as the ``postgres`` (or
    ``nobody``) user."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        found = shutil.which("initdb") or (binaries[-1] if binaries else None)
        if found is None:
            pytest.skip("no PostgreSQL binaries (initdb) on this machine")
        self._bin = os.path.dirname(found)
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="own-postgres-")
        self._user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                with suppress(KeyError):
                    self._user = pwd.getpwnam(name)
                    break
            assert self._user is not None, "no unprivileged user to run PostgreSQL as"
            os.chown(self.directory, self._user.pw_uid, self._user.pw_gid)
        self._data = os.path.join(self.directory, "data")
        self._run("initdb", "-D", self._data, "-U", "postgres", "--auth=trust", "-N", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        user = self._user

        def demote() -> None:
            if user is not None:
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)

        subprocess.run(  # noqa: S603 - PostgreSQL's own tools, arguments built here
            [os.path.join(self._bin, tool), *args],
            check=True,
            capture_output=True,
            preexec_fn=demote,
            cwd=self.directory,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory}"
            # Without fsync, commits still reach the kernel before they are acknowledged:
            # they survive the server's death (not the machine's). synchronous_commit
            # stays on, or a crash would lose acknowledged commits.
            " -c fsync=off -c full_page_writes=off"
        )
        log = os.path.join(self.directory, "server.log")
        self._run("pg_ctl", "-D", self._data, "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: the server dies without a clean shutdown, as after a crash."""
        self._run("pg_ctl", "-D", self._data, "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class OwnRabbitMQ:
    """A RabbitMQ node of the test's own (its node name, ports and data in a temporary
    directory, no plugins): a fault test kills and restarts it, never the shared one."""

    def __init__(
        self,
        *,
        config: str = "",
        user: str = "guest",
        password: str = "guest",  # noqa: S107 - RabbitMQ's local default account
        cookie: str | None = None,
    ) -> None:
        """``config``: lines of a ``rabbitmq.conf`` (e.g. definitions to load at boot);
        ``user``/``password``: the account ``url`` names (there is no guest user when
        definitions are loaded); ``cookie``: the Erlang cookie, the same on the nodes of
        one cluster (a random one otherwise)."""
        self._server = "/usr/lib/rabbitmq/bin/rabbitmq-server"
        self._user, self._password = user, password
        if not os.path.exists(self._server):
            pytest.skip("no RabbitMQ server on this machine")
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="own-rabbitmq-")
        self._node = f"own{uuid.uuid4().hex[:8]}@localhost"
        with open(os.path.join(self.directory, "enabled_plugins"), "w") as plugins:
            plugins.write("[].\n")
        with open(os.path.join(self.directory, "rabbitmq.conf"), "w") as conf:
            conf.write(config)
        # Erlang reads the cookie from $HOME, which is this directory; rabbitmqctl too.
        cookie_path = os.path.join(self.directory, ".erlang.cookie")
        with open(cookie_path, "w") as cookie_file:
            cookie_file.write(cookie or uuid.uuid4().hex)
        os.chmod(cookie_path, 0o400)
        self._dist_port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def node(self) -> str:
        """The Erlang node name (``own…@localhost``)."""
        return self._node

    @property
    def url(self) -> str:
        return self.url_as(self._user, self._password)

    def url_as(self, user: str, password: str) -> str:
        return f"amqp://{user}:{password}@127.0.0.1:{self.port}/"

    def ctl(self, *args: str) -> str:
        """Run ``rabbitmqctl`` against this node (same cookie: same HOME); its output."""
        done = subprocess.run(  # noqa: S603 - RabbitMQ's own tool
            ["/usr/lib/rabbitmq/bin/rabbitmqctl", "-n", self._node, *args],
            env=self._environment(),
            capture_output=True,
            timeout=60,
            check=True,
        )
        return done.stdout.decode()

    def _environment(self) -> dict[str, str]:
        d = self.directory
        return {
            **os.environ,
            "HOME": d,
            "RABBITMQ_NODENAME": self._node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self._dist_port),
            "RABBITMQ_MNESIA_BASE": os.path.join(d, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(d, "log"),
            "RABBITMQ_PID_FILE": os.path.join(d, "pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(d, "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": os.path.join(d, "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": os.path.join(d, "none.config"),
        }

    def launch(self) -> None:
        """Start the node in the background (``start`` also waits for it)."""
        with open(os.path.join(self.directory, "server.log"), "ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - RabbitMQ's own script
                [self._server],
                env=self._environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def start(self, timeout_s: float = 90.0) -> None:
        """Start the node and wait until it accepts AMQP clients."""
        self.launch()
        await wait_until(self.accepts_clients, timeout_s=timeout_s, interval_s=0.1, what="RabbitMQ")

    async def accepts_clients(self) -> bool:
        try:
            connection = await aio_pika.connect(self.url, timeout=2)
        except Exception:
            return False
        await connection.close()
        return True

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """Kill the node with SIGKILL (its whole process group), as a crash would."""
        if self._process is not None and self._process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self._process.pid, 9)
            self._process.wait(timeout=30)
        self._process = None

    def stop(self) -> None:
        """Stop the node cleanly (SIGTERM: RabbitMQ shuts down in order), then for good."""
        if self._process is not None and self._process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self._process.pid, 15)
            with suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=60)
        self.kill()

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


class OwnRabbitMQCluster:
    """Three (or more) ``OwnRabbitMQ`` nodes of the test's own joined into one cluster:
    one shared cookie, the others joining the first (``stop_app``, ``join_cluster``,
    ``start_app``), as deploy/README.md tells an operator to."""

    def __init__(self, size: int = 3) -> None:
        cookie = uuid.uuid4().hex
        self.nodes = [OwnRabbitMQ(cookie=cookie) for _ in range(size)]

    @property
    def url(self) -> str:
        """``AMQP_URL`` for the whole cluster: every node's URL, separated by commas."""
        return ",".join(node.url for node in self.nodes)

    async def start(self, timeout_s: float = 90.0) -> None:
        for node in self.nodes:
            node.launch()  # side by side: each boot takes seconds
        for node in self.nodes:
            await wait_until(
                node.accepts_clients, timeout_s=timeout_s, interval_s=0.2, what="RabbitMQ node"
            )
        first = self.nodes[0]
        for node in self.nodes[1:]:
            await asyncio.to_thread(node.ctl, "stop_app")
            await asyncio.to_thread(node.ctl, "join_cluster", first.node)
            await asyncio.to_thread(node.ctl, "start_app")
        for node in self.nodes:
            await wait_until(
                node.accepts_clients, timeout_s=timeout_s, interval_s=0.2, what="joined node"
            )

    def running_nodes(self) -> int:
        """How many nodes the first running node sees running (``cluster_status``)."""
        for node in self.nodes:
            if node.running:
                status = json.loads(node.ctl("cluster_status", "--formatter", "json"))
                return len(status["running_nodes"])
        return 0

    def remove(self) -> None:
        for node in self.nodes:
            node.remove()


# ---- pytest fixtures (registered by the root conftest.py) -------------------------------


@pytest.fixture
async def own_rabbitmq() -> AsyncIterator[OwnRabbitMQ]:
    """A started RabbitMQ node of the test's own (see ``OwnRabbitMQ``)."""
    node = OwnRabbitMQ()
    try:
        await node.start()
        yield node
    finally:
        node.remove()


@pytest.fixture
async def own_rabbitmq_cluster() -> AsyncIterator[OwnRabbitMQCluster]:
    """A started three-node RabbitMQ cluster of the test's own (see ``OwnRabbitMQCluster``)."""
    cluster = OwnRabbitMQCluster()
    try:
        await cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    """A started PostgreSQL of the test's own (see ``OwnPostgres``)."""
    server = OwnPostgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def traces() -> Iterator[Traces]:
    exporter = InMemorySpanExporter()
    yield Traces(exporter)
    exporter.shutdown()


@pytest.fixture(scope="session", autouse=True)
async def _sweep_broker() -> AsyncIterator[None]:
    """At the end of the session, remove what its test services left on the broker."""
    yield
    url = os.environ.get("TEST_AMQP_URL")
    if url and _namespaces:
        with suppress(Exception):
            await sweep_leftovers(url, _namespaces)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    amqp = os.environ.get("TEST_AMQP_URL")
    database = os.environ.get("TEST_DATABASE_URL")
    with ExitStack() as stack:
        if not (amqp and database):
            started = _start_containers(stack)
            amqp, database = amqp or started.amqp_url, database or started.admin_database_url
        yield Infra(amqp, database)


@pytest.fixture
async def database_url(infra: Infra) -> AsyncIterator[str]:
    url = await create_database(infra.admin_database_url)
    try:
        yield url
    finally:
        await drop_database(infra.admin_database_url, url)


@pytest.fixture
def namespace() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that reaches the real servers is an integration test, marked or not.

    ``make test-fast`` deselects them: what it runs needs no broker and no database."""
    for item in items:
        if "infra" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


def pytest_configure(config: pytest.Config) -> None:
    """Tests run as ``ENVIRONMENT=test`` unless they say otherwise.

    Production is the default of a deployed service (it fails closed); a test that checks
    production behaviour sets or deletes the variable itself."""
    os.environ.setdefault("ENVIRONMENT", "test")
