"""What docker-compose.yml and deploy/ promise, checked without a Docker engine.

The broker definitions are checked against the queue names the runtime really declares
(``deformations_common.topology``), with RabbitMQ's own reading of permission patterns:
an unanchored regular-expression search on the resource name.
"""

import base64
import hashlib
import importlib.util
import ipaddress
import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from deformations_common.messaging import create_broker, declare_topology
from deformations_common.producers import DECLARED_PRODUCERS
from deformations_common.settings import Environment, ServiceSettings
from deformations_common.topology import Subscription, Topology
from deformations_contracts.registry import EVENTS
from deformations_devtools.testing import OwnRabbitMQ
from deformations_portal.domain.platform import Platform
from deformations_portal.settings import PortalSettings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SERVICES = (
    "diagnosis",
    "matching",
    "lending",
    "notifications",
    "portal",
    "training",
    "statistics",
)
HOST_PORTS = {
    "diagnosis": 8001,
    "matching": 8002,
    "lending": 8003,
    "notifications": 8004,
    "portal": 8005,
    "training": 8006,
    "statistics": 8007,
}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_deploy", ROOT / "scripts" / "gen_deploy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
routes: ModuleType = gen.one_address
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
DEFINITIONS: dict[str, Any] = json.loads((DEPLOY / "rabbitmq" / "definitions.json").read_text())
INIT_SQL = (DEPLOY / "postgres" / "init.sql").read_text("utf-8")
TOPOLOGY = Topology(ServiceSettings(environment=Environment.TEST))


def _env(service: str) -> dict[str, str]:
    env = COMPOSE["services"][service]["environment"]
    assert isinstance(env, dict), f"{service}: environment as a mapping"
    return {k: str(v) for k, v in env.items()}


def _permissions(user: str) -> dict[str, str]:
    (entry,) = [p for p in DEFINITIONS["permissions"] if p["user"] == user and p["vhost"] == "/"]
    return {kind: entry[kind] for kind in ("configure", "write", "read")}


def _allowed(pattern: str, resource: str) -> bool:
    # RabbitMQ runs re:run(Name, Pattern): a search, so only anchors make it strict.
    return re.search(pattern, resource) is not None


def _queue_names(service: str, routing_key: str) -> list[str]:
    subscription = Subscription(service, routing_key)
    return [
        TOPOLOGY.main_queue(subscription).name,
        TOPOLOGY.dead_letter_queue(subscription).name,
        *(queue.name for queue in TOPOLOGY.retry_queues(subscription)),
    ]


def _verifies(password_hash: str, password: str) -> bool:
    """RabbitMQ's rabbit_password_hashing_sha256 check, written apart from the generator."""
    raw = base64.b64decode(password_hash)
    salt, digest = raw[:4], raw[4:]
    return hashlib.sha256(salt + password.encode()).digest() == digest


def _sql_roles() -> dict[str, str]:
    return dict(re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD '([^']*)'", INIT_SQL))


# --- docker-compose.yml ---------------------------------------------------------------


def test_compose_runs_the_infrastructure_and_every_service() -> None:
    assert set(COMPOSE["services"]) == {
        "rabbitmq",
        "postgres",
        "mailcatcher",
        "proxy",
        *SERVICES,
    }
    assert COMPOSE["services"]["rabbitmq"]["image"] == "rabbitmq:3.10-management"
    assert COMPOSE["services"]["postgres"]["image"] == "postgres:15"
    assert COMPOSE["services"]["mailcatcher"]["image"].startswith("axllent/mailpit")


@pytest.mark.parametrize("name", ["rabbitmq", "postgres", "mailcatcher", "proxy", *SERVICES])
def test_every_compose_service_has_a_healthcheck(name: str) -> None:
    check = COMPOSE["services"][name].get("healthcheck")
    assert check and check.get("test"), f"{name} has no healthcheck"
    assert not check.get("disable", False)


def test_infrastructure_healthchecks_use_the_native_probes() -> None:
    services = COMPOSE["services"]
    assert "rabbitmq-diagnostics -q ping" in " ".join(services["rabbitmq"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "readyz" in " ".join(services["mailcatcher"]["healthcheck"]["test"])


@pytest.mark.parametrize("service", SERVICES)
def test_service_waits_for_a_healthy_broker_and_database(service: str) -> None:
    depends = COMPOSE["services"][service]["depends_on"]
    for dependency in ("rabbitmq", "postgres"):
        assert depends[dependency]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", SERVICES)
def test_service_probes_its_own_healthz(service: str) -> None:
    spec = COMPOSE["services"][service]
    port = _env(service)["HTTP_PORT"]
    assert f"127.0.0.1:{port}/healthz" in " ".join(spec["healthcheck"]["test"])
    assert _env(service)["HTTP_HOST"] == "0.0.0.0"


@pytest.mark.parametrize("service", SERVICES)
def test_service_is_built_from_the_shared_image_definition(service: str) -> None:
    build = COMPOSE["services"][service]["build"]
    assert build["dockerfile"] == "deploy/Dockerfile"
    assert build["args"]["SERVICE"] == service
    assert (ROOT / build["context"] / build["dockerfile"]).is_file()


@pytest.mark.parametrize("service", SERVICES)
def test_service_migrates_before_it_serves(service: str) -> None:
    command = " ".join(COMPOSE["services"][service]["entrypoint"])
    assert f"deformations-{service} migrate && exec deformations-{service} serve" in command


@pytest.mark.parametrize("service", SERVICES)
def test_service_connects_to_the_broker_as_its_own_user(service: str) -> None:
    url = urlsplit(_env(service)["AMQP_URL"])
    assert (url.scheme, url.hostname, url.port) == ("amqp", "rabbitmq", 5672)
    assert url.username == service
    (user,) = [u for u in DEFINITIONS["users"] if u["name"] == url.username]
    assert url.password is not None
    assert _verifies(user["password_hash"], url.password)


@pytest.mark.parametrize("service", SERVICES)
def test_service_connects_to_the_database_as_its_own_role(service: str) -> None:
    url = urlsplit(_env(service)["DATABASE_URL"])
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.path == "/" + COMPOSE["services"]["postgres"]["environment"]["POSTGRES_DB"]
    assert url.username == service
    assert _sql_roles()[service] == url.password


def test_every_service_has_credentials_of_its_own() -> None:
    amqp_users = [urlsplit(_env(s)["AMQP_URL"]).username for s in SERVICES]
    db_roles = [urlsplit(_env(s)["DATABASE_URL"]).username for s in SERVICES]
    assert len(set(amqp_users)) == len(SERVICES)
    assert len(set(db_roles)) == len(SERVICES)


def test_service_host_ports_are_distinct_and_documented() -> None:
    published: dict[str, int] = {}
    for name, spec in COMPOSE["services"].items():
        for mapping in spec.get("ports", []):
            host_port = int(str(mapping).split(":")[-2])
            assert host_port not in published.values(), f"{name} reuses host port {host_port}"
            published[f"{name}:{host_port}"] = host_port
    for service, port in HOST_PORTS.items():
        assert (
            f"127.0.0.1:{port}:{_env(service)['HTTP_PORT']}"
            in COMPOSE["services"][service]["ports"]
        )


def test_notifications_sends_mail_to_the_mail_catcher() -> None:
    env = _env("notifications")
    assert env["SMTP_HOST"] == "mailcatcher"
    assert env["SMTP_PORT"] == "1025"
    depends = COMPOSE["services"]["notifications"]["depends_on"]
    assert depends["mailcatcher"]["condition"] == "service_healthy"
    assert "127.0.0.1:1025:1025" in COMPOSE["services"]["mailcatcher"]["ports"]


def test_broker_loads_the_definitions_at_boot() -> None:
    volumes = COMPOSE["services"]["rabbitmq"]["volumes"]
    conf = (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text()
    (path,) = re.findall(r"^definitions\.local\.path\s*=\s*(\S+)$", conf, flags=re.MULTILINE)
    # Imported once, then only when the file changes: a restart keeps changed passwords.
    assert re.search(r"^definitions\.skip_if_unchanged\s*=\s*true$", conf, flags=re.MULTILINE)
    assert f"./deploy/rabbitmq/definitions.json:{path}:ro" in volumes
    assert any(
        v.startswith("./deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/") for v in volumes
    )


def test_database_runs_the_init_script_at_first_start() -> None:
    volumes = COMPOSE["services"]["postgres"]["volumes"]
    assert any(
        v.startswith("./deploy/postgres/init.sql:/docker-entrypoint-initdb.d/") for v in volumes
    )


# --- RabbitMQ definitions -------------------------------------------------------------


def test_definitions_are_what_the_generator_writes() -> None:
    for path, text in gen.rendered().items():
        assert path.read_text("utf-8") == text, f"{path.name} is stale: run scripts/gen_deploy.py"


def test_broker_has_one_user_per_service_and_an_operator() -> None:
    users = {u["name"]: u for u in DEFINITIONS["users"]}
    assert set(users) == {*SERVICES, "admin"}
    assert "guest" not in users
    assert "administrator" in users["admin"]["tags"]
    for service in SERVICES:
        assert users[service]["tags"] == []
        assert users[service]["hashing_algorithm"] == "rabbit_password_hashing_sha256"


def test_password_hashes_verify_and_reject_a_wrong_password() -> None:
    for user in DEFINITIONS["users"]:
        assert _verifies(user["password_hash"], f"{user['name']}-dev-password")
        assert not _verifies(user["password_hash"], f"{user['name']}-wrong-password")


def test_generator_hashes_like_the_rabbitmq_documentation() -> None:
    # The worked example of RabbitMQ's "Credentials and Passwords" guide.
    salt = bytes.fromhex("908DC60A")
    expected = "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"
    assert gen.rabbit_password_hash("test12", salt) == expected
    assert _verifies(expected, "test12")


def test_exchanges_are_those_the_runtime_declares() -> None:
    exchanges = {e["name"]: e for e in DEFINITIONS["exchanges"]}
    for declared in (TOPOLOGY.events, TOPOLOGY.dead_letters):
        definition = exchanges[declared.name]
        # The runtime declares them too: any difference would fail its declaration.
        assert definition["type"] == declared.type.value
        assert definition["durable"] is True
        assert definition["auto_delete"] is False
        assert definition["arguments"] == {}


@pytest.mark.parametrize("service", SERVICES)
def test_service_may_declare_bind_consume_and_retry_on_its_own_queues(service: str) -> None:
    permissions = _permissions(service)
    for routing_key in gen.SUBSCRIPTIONS[service]:
        for queue in _queue_names(service, routing_key):
            for kind in ("configure", "write", "read"):
                assert _allowed(permissions[kind], queue), f"{kind} {queue}"


@pytest.mark.parametrize("service", SERVICES)
def test_service_may_publish_events_dead_letters_and_retries(service: str) -> None:
    permissions = _permissions(service)
    for exchange in (TOPOLOGY.events.name, TOPOLOGY.dead_letters.name):
        for kind in ("write", "read"):
            assert _allowed(permissions[kind], exchange), f"{kind} {exchange}"
        # Configure would let it delete (or redeclare) what every service shares.
        assert not _allowed(permissions["configure"], exchange), f"configure {exchange}"
    retry = TOPOLOGY.retry_exchange(service).name
    for kind in ("configure", "write"):
        assert _allowed(permissions[kind], retry), f"{kind} {retry}"


@pytest.mark.parametrize("service", SERVICES)
def test_service_cannot_touch_the_queues_of_another(service: str) -> None:
    permissions = _permissions(service)
    for other in SERVICES:
        if other == service:
            continue
        for routing_key in gen.SUBSCRIPTIONS[other]:
            for queue in _queue_names(other, routing_key):
                for kind, pattern in permissions.items():
                    assert not _allowed(pattern, queue), f"{service} may {kind} {queue}"


@pytest.mark.parametrize("service", SERVICES)
def test_service_cannot_use_other_exchanges(service: str) -> None:
    permissions = _permissions(service)
    for exchange in ("amq.topic", "amq.direct", "amq.fanout", "deformations.events.other"):
        for kind, pattern in permissions.items():
            assert not _allowed(pattern, exchange), f"{service} may {kind} {exchange}"
    for kind, pattern in permissions.items():
        assert not _allowed(pattern, "amq.default"), f"{service} may {kind} amq.default"
        for other in SERVICES:
            if other != service:
                retry = TOPOLOGY.retry_exchange(other).name
                assert not _allowed(pattern, retry), f"{service} may {kind} {retry}"


_WORD = st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True)
_ROUTING_KEYS = st.builds(
    lambda words, major: ".".join([*words, f"v{major}"]),
    st.lists(_WORD, min_size=1, max_size=3),
    st.integers(min_value=1, max_value=9),
)


@settings(max_examples=60, deadline=None)
@given(routing_key=_ROUTING_KEYS, owner=st.sampled_from(SERVICES))
def test_permissions_follow_the_service_prefix_for_any_future_subscription(
    routing_key: str, owner: str
) -> None:
    for queue in _queue_names(owner, routing_key):
        for service in SERVICES:
            granted = _allowed(_permissions(service)["configure"], queue)
            assert granted == (service == owner), f"{service} configure {queue}"


def _topic(user: str) -> dict[str, str]:
    (entry,) = [t for t in DEFINITIONS["topic_permissions"] if t["user"] == user]
    assert entry["exchange"] == TOPOLOGY.events.name
    return {"write": entry["write"], "read": entry["read"]}


@pytest.mark.parametrize("service", SERVICES)
def test_service_may_publish_exactly_the_routing_keys_it_produces(service: str) -> None:
    write = _topic(service)["write"]
    for routing_key in EVENTS:
        allowed = _allowed(write, routing_key)
        assert allowed == (service in DECLARED_PRODUCERS[routing_key]), routing_key
    # Only the portal asks for an erasure (for the person, or an operator).
    assert _allowed(write, "person.erasure_requested.v1") == (service == "portal")
    assert not _allowed(write, "anything.else.v1")


# --- the definitions on a real broker of the test's own --------------------------------

ADMIN_PASSWORD = "admin-dev-password"


async def _refused(action: Callable[[], Awaitable[object]]) -> str:
    """Run ``action`` and return the broker's refusal (it must refuse)."""
    try:
        await action()
    except Exception as exc:
        return repr(exc)
    raise AssertionError("the broker allowed it")


@pytest.mark.integration
async def test_a_service_user_cannot_forge_events_nor_delete_shared_exchanges() -> None:
    node = OwnRabbitMQ(
        config=f"load_definitions = {DEPLOY / 'rabbitmq' / 'definitions.json'}\n",
        user="admin",
        password=ADMIN_PASSWORD,
    )
    try:
        await node.start()
        # The runtime as deployed: it declares its own queues and checks the shared
        # exchanges exist without declaring them.
        settings = ServiceSettings(
            environment=Environment.TEST,
            service_name="diagnosis",
            amqp_url=node.url_as("diagnosis", gen.dev_password("diagnosis")),
            declare_shared_exchanges=False,
        )
        topology = Topology(settings)
        broker = create_broker(settings)
        subscriptions = [Subscription("diagnosis", key) for key in gen.SUBSCRIPTIONS["diagnosis"]]
        await broker.connect()
        try:
            await declare_topology(broker, topology, subscriptions)
            for subscription in subscriptions:
                await broker.declare_queue(topology.main_queue(subscription))
        finally:
            await broker.stop()

        url = node.url_as("diagnosis", gen.dev_password("diagnosis"))
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            events = await channel.get_exchange(TOPOLOGY.events.name, ensure=False)
            # What it produces goes through (confirmed; no queue is bound to it here).
            await events.publish(aio_pika.Message(b"{}"), routing_key="diagnosis.completed.v1")
            for forged in ("person.erasure_requested.v1", "match.proposed.v1"):
                channel = await connection.channel(publisher_confirms=True)
                events = await channel.get_exchange(TOPOLOGY.events.name, ensure=False)
                refusal = await _refused(
                    lambda events=events, key=forged: events.publish(  # type: ignore[misc]
                        aio_pika.Message(b"{}"), routing_key=key
                    )
                )
                assert "ACCESS_REFUSED" in refusal, refusal
                assert forged in refusal, refusal
            for shared in (TOPOLOGY.events.name, TOPOLOGY.dead_letters.name):
                channel = await connection.channel()
                refusal = await _refused(
                    lambda channel=channel, name=shared: channel.exchange_delete(name)  # type: ignore[misc]
                )
                assert "ACCESS_REFUSED" in refusal, refusal
            # Nor another service's queue.
            channel = await connection.channel()
            other = Subscription("lending", gen.SUBSCRIPTIONS["lending"][0])
            refusal = await _refused(lambda: channel.queue_delete(TOPOLOGY.queue_name(other)))
            assert "ACCESS_REFUSED" in refusal, refusal
        # The shared exchanges are still there.
        admin = await aio_pika.connect(node.url)
        async with admin:
            channel = await admin.channel()
            for shared in (TOPOLOGY.events.name, TOPOLOGY.dead_letters.name):
                await channel.declare_exchange(shared, passive=True)
    finally:
        node.remove()


@pytest.mark.integration
async def test_a_restart_keeps_a_changed_password() -> None:
    conf = (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text()
    definitions = DEPLOY / "rabbitmq" / "definitions.json"
    node = OwnRabbitMQ(
        config=conf.replace("/etc/rabbitmq/definitions.json", str(definitions)),
        user="admin",
        password=ADMIN_PASSWORD,
    )
    try:
        await node.start()
        new_password = "a-real-secret-of-production"
        node.ctl("change_password", "lending", new_password)
        node.stop()
        await node.start()
        connection = await aio_pika.connect(node.url_as("lending", new_password))
        await connection.close()
        refusal = await _refused(
            lambda: aio_pika.connect(node.url_as("lending", gen.dev_password("lending")))
        )
        assert "ACCESS_REFUSED" in refusal or "auth" in refusal.lower(), refusal
    finally:
        node.remove()


# --- PostgreSQL roles -----------------------------------------------------------------


def test_one_login_role_per_service() -> None:
    assert set(_sql_roles()) == set(SERVICES)
    assert re.search(r"\bSUPERUSER\b", INIT_SQL) is None


@pytest.mark.parametrize("service", SERVICES)
def test_role_owns_a_schema_of_its_own_closed_to_others(service: str) -> None:
    assert f"CREATE SCHEMA {service} AUTHORIZATION {service};" in INIT_SQL
    assert f"REVOKE ALL ON SCHEMA {service} FROM PUBLIC;" in INIT_SQL


def test_roles_are_granted_nothing_but_their_database() -> None:
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC;" in INIT_SQL
    grants = re.findall(r"GRANT [^']*", INIT_SQL)
    # No schema, table or role membership: only connecting to the database.
    assert sorted(grants) == sorted(
        f"GRANT CONNECT ON DATABASE %I TO {service}" for service in SERVICES
    )


# --- Kubernetes manifests and image ---------------------------------------------------


def _manifests(service: str) -> dict[str, dict[str, Any]]:
    documents = list(yaml.safe_load_all((DEPLOY / "k8s" / f"{service}.yaml").read_text("utf-8")))
    return {doc["kind"]: doc for doc in documents if doc}


@pytest.mark.parametrize("service", SERVICES)
def test_kubernetes_deployment_of_each_service(service: str) -> None:
    manifests = _manifests(service)
    deployment, k8s_service = manifests["Deployment"], manifests["Service"]
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"].startswith(f"deformations/{service}:")
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    secret = f"deformations-{service}"
    assert {"secretRef": {"name": secret}} in container["envFrom"]
    (migrate,) = pod["initContainers"]
    assert migrate["args"] == ["migrate"]
    assert migrate["image"] == container["image"]
    assert {"secretRef": {"name": secret}} in migrate["envFrom"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert k8s_service["spec"]["selector"].items() <= labels.items()
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_example_secrets_cover_every_service() -> None:
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "secrets.example.yaml").read_text("utf-8"))
    secrets = {d["metadata"]["name"]: d["stringData"] for d in documents if d["kind"] == "Secret"}
    assert set(secrets) == {f"deformations-{s}" for s in SERVICES}
    for service in SERVICES:
        data = secrets[f"deformations-{service}"]
        assert urlsplit(data["AMQP_URL"]).username == service
        assert urlsplit(data["DATABASE_URL"]).username == service
    assert "SMTP_HOST" in secrets["deformations-notifications"]


def test_image_definition_promises() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    assert re.search(r"^ARG SERVICE$", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\} AS runtime$", dockerfile, flags=re.MULTILINE)
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert 'pip install --no-cache-dir "uv' in dockerfile
    assert 'uv sync --frozen --no-dev --no-editable --package "deformations-${SERVICE}"' in (
        dockerfile
    )
    assert re.search(r"^USER 10001", dockerfile, flags=re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'exec \\"deformations-${SERVICE}\\"' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text("utf-8").split()
    assert {".git", ".venv", "**/.venv"} <= set(ignored)


def test_nothing_deployed_turns_dev_on() -> None:
    """Fail closed: the image and the documented commands run as production (the default);
    only the local compose file and ``make run`` say ENVIRONMENT=dev, and say it aloud."""
    dev = re.compile(r"ENVIRONMENT\s*[=:]\s*\"?dev\b")
    assert not dev.search((DEPLOY / "Dockerfile").read_text("utf-8"))
    for doc in (DEPLOY / "README.md", ROOT / "README.md"):
        for line in doc.read_text("utf-8").splitlines():
            if line.lstrip().startswith("docker run"):
                assert not dev.search(line), line
    for service in SERVICES:
        deployment = _manifests(service)["Deployment"]["spec"]["template"]["spec"]
        for container in (*deployment["containers"], *deployment["initContainers"]):
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert env.get("ENVIRONMENT") == "production", container["name"]
    assert '"ENVIRONMENT": "dev"' in (ROOT / "scripts" / "run_platform.py").read_text("utf-8")


# --- One platform per Région: compose and Kubernetes give every service the same one ---


def _compose_platform_file(service: str) -> Path:
    """The host file compose mounts where ``service`` reads PLATFORM_FILE."""
    assert _env(service)["PLATFORM_FILE"] == gen.PLATFORM_MOUNT
    mounts = [v.split(":") for v in COMPOSE["services"][service].get("volumes", [])]
    (host,) = [m[0] for m in mounts if m[1] == gen.PLATFORM_MOUNT and m[2:] == ["ro"]]
    return ROOT / host


def test_compose_gives_the_portal_matching_and_statistics_one_platform_file() -> None:
    files = {_compose_platform_file(service) for service in gen.PLATFORM_READERS}
    assert files == {gen.PLATFORM_SOURCE}
    for service in set(SERVICES) - set(gen.PLATFORM_READERS):
        assert "PLATFORM_FILE" not in _env(service), service
    mails = _env("notifications")
    values = gen.platform_values()
    assert {k: mails[k] for k in values} == values
    territory = PortalSettings(platform_file=str(gen.PLATFORM_SOURCE)).load_platform().territory
    assert territory.region == "84" and territory.departements


def test_kubernetes_mounts_the_platform_configmap_where_the_services_read_it() -> None:
    (configmap,) = yaml.safe_load_all(gen.PLATFORM_CONFIGMAP.read_text("utf-8"))
    name = configmap["metadata"]["name"]
    data = configmap["data"]
    assert data["platform.toml"] == gen.PLATFORM_SOURCE.read_text("utf-8")
    platform = Platform.from_mapping(tomllib.loads(data["platform.toml"]))
    assert (data["PLATFORM_NAME"], data["PLATFORM_COLOUR"]) == (
        platform.name,
        platform.palette.primary,
    )
    folder, file = gen.PLATFORM_MOUNT.rsplit("/", 1)
    for service in gen.PLATFORM_READERS:
        pod = _manifests(service)["Deployment"]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["PLATFORM_FILE"] == gen.PLATFORM_MOUNT, service
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == folder]
        assert mount["readOnly"] is True
        (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
        assert volume["configMap"]["name"] == name
        assert volume["configMap"]["items"] == [{"key": "platform.toml", "path": file}]
    pod = _manifests("notifications")["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    refs = {
        e["name"]: e["valueFrom"]["configMapKeyRef"] for e in container["env"] if "valueFrom" in e
    }
    assert refs == {key: {"name": name, "key": key} for key in ("PLATFORM_NAME", "PLATFORM_COLOUR")}


# --- with a Docker engine -------------------------------------------------------------


def _docker_compose_available() -> str | None:
    """Why ``docker compose`` cannot run here, or None when it can."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker binary"
    for probe in (["info"], ["compose", "version"]):
        try:
            done = subprocess.run([docker, *probe], capture_output=True, timeout=20, check=False)
        except subprocess.TimeoutExpired:
            return f"docker {' '.join(probe)} timed out"
        if done.returncode != 0:
            return f"docker {' '.join(probe)} failed: no running engine or no compose plugin"
    return None


def test_docker_compose_accepts_the_file() -> None:
    reason = _docker_compose_available()
    if reason is not None:
        pytest.skip(reason)
    done = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr


# --- One address: Caddyfile, compose and Ingress agree with the route table ------------

CADDYFILE = (DEPLOY / "caddy" / "Caddyfile").read_text("utf-8")
INGRESSES: list[dict[str, Any]] = [
    d for d in yaml.safe_load_all((DEPLOY / "k8s" / "ingress.yaml").read_text("utf-8")) if d
]
COMPOSE_ADDRESS = "http://localhost:8000"
# Paths people and systems use, the operations endpoints, and tricky neighbours of both.
SAMPLE_PATHS = (
    "/",
    "/quiz",
    "/quiz/",
    "/QUIZ",
    "/quizz",
    "/resultats/7b0f7c4e-3f1c-4c59-9f6e-1f0f7e0b9a11",
    "/c/abc123",
    "/c/abc123/collectif",
    "/campagnes/x/resultats",
    "/v1/unsubscribe",
    "/v1/relay/reply",
    "/v1/questionnaires",
    "/v1",
    "/api",
    "/api/",
    "/api/diagnosis",
    "/api/unknown/v1/x",
    "/api/diagnosis/v1/questionnaires/current",
    "/api/matching/v1/proposals",
    "/api/lending/v1/loans/1/convention.pdf",
    "/api/notifications/v1/me/recipient",
    "/api/notifications/v1/unsubscribe",
    "/api/training/v1/offers/search",
    "/api/training/metrics",
    "/formations/parcours",
    "/v1/offers/search",
    "/api/lending/metricsx",
    "/api/lending/v1/metrics",
    "/metricsx",
    "/docsy",
    "/healthz",
    "/.well-known/jwks.json",
)


def _operations_paths() -> list[str]:
    paths = []
    for op in routes.OPERATIONS:
        paths += [op, op.upper(), f"{op}/x"]
        paths += [f"/api/{s.name}{op}" for s in routes.UPSTREAMS if s.api]
        paths += [f"/api/{s.name}{op}/oauth2-redirect" for s in routes.UPSTREAMS if s.api]
    return paths


def _ingress_route(path: str) -> tuple[str, str] | None:
    """What ingress-nginx does with ``path``: the service and the path it forwards.

    Regular-expression locations are anchored at the start and case-insensitive (``~*``).
    Two matching paths would leave the answer to the controller's ordering: refused."""
    found = []
    for ingress in INGRESSES:
        rewrite = ingress["metadata"]["annotations"].get(
            "nginx.ingress.kubernetes.io/rewrite-target"
        )
        for rule in ingress["spec"]["rules"]:
            for entry in rule["http"]["paths"]:
                match = re.match(entry["path"], path, flags=re.IGNORECASE)
                if match is None:
                    continue
                forwarded = path
                if rewrite is not None:
                    forwarded = match.expand(re.sub(r"\$(\d)", r"\\\1", rewrite))
                found.append((entry["backend"]["service"]["name"], forwarded))
    assert len(found) <= 1, f"{path} matches several Ingress paths: {found}"
    return found[0] if found else None


def _expected(path: str) -> tuple[str, str] | None:
    routed = routes.route(path)
    return None if routed is None else (routed.service, routed.path)


def test_the_route_table_sends_pages_apis_and_nothing_else() -> None:
    assert routes.route("/quiz") == routes.Routed("diagnosis", "/quiz")
    assert routes.route("/api/lending/v1/loans") == routes.Routed("lending", "/v1/loans")
    assert routes.route("/v1/unsubscribe") == routes.Routed("notifications", "/v1/unsubscribe")
    assert routes.route("/") == routes.Routed(routes.HOME, "/")
    for path in ("/api/unknown/x", "/v1/questionnaires", *_operations_paths()):
        assert routes.route(path) is None, path


@pytest.mark.parametrize("path", [*SAMPLE_PATHS, *_operations_paths()])
def test_ingress_routes_like_the_table(path: str) -> None:
    assert _ingress_route(path) == _expected(path)


_SEGMENTS = st.sampled_from(
    [
        "api",
        "v1",
        "quiz",
        "resultats",
        "c",
        "unsubscribe",
        "relay",
        "reply",
        "metrics",
        "docs",
        "redoc",
        "openapi.json",
        "asyncapi.json",
        "Metrics",
        "x",
        "",
        *(s.name for s in routes.UPSTREAMS),
    ]
)


@settings(max_examples=300, deadline=None)
@given(segments=st.lists(_SEGMENTS, max_size=5))
def test_ingress_routes_any_path_like_the_table(segments: list[str]) -> None:
    path = "/" + "/".join(segments)
    assert _ingress_route(path) == _expected(path)


def test_ingresses_strip_the_prefix_only_of_the_apis() -> None:
    by_name = {i["metadata"]["name"]: i for i in INGRESSES}
    assert set(by_name) == {"deformations-api", "deformations-pages"}
    api, pages = by_name["deformations-api"], by_name["deformations-pages"]
    assert api["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"] == "/$1"
    assert "nginx.ingress.kubernetes.io/rewrite-target" not in pages["metadata"]["annotations"]
    for ingress in INGRESSES:
        assert ingress["spec"]["ingressClassName"] == "nginx"
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/use-regex"] == (
            "true"
        )
        assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]


def test_ingress_backends_are_the_services_http_ports() -> None:
    for ingress in INGRESSES:
        for entry in ingress["spec"]["rules"][0]["http"]["paths"]:
            backend = entry["backend"]["service"]
            assert entry["pathType"] == "ImplementationSpecific"
            manifest = DEPLOY / "k8s" / f"{backend['name']}.yaml"
            assert manifest.is_file(), f"the Ingress routes to {backend['name']}, not deployed"
            k8s_service = _manifests(backend["name"])["Service"]
            ports = {p["name"] for p in k8s_service["spec"]["ports"]}
            assert backend["port"]["name"] in ports


def _caddy_blocks() -> dict[str, str]:
    """Each ``handle_path <prefix>/*`` of the Caddyfile and the upstream it proxies to."""
    found = re.findall(
        r"^\t\thandle_path (\S+)/\* \{\n\t\t\treverse_proxy \{\$(\w+):([\w.:-]+)\}\n\t\t\}",
        CADDYFILE,
        flags=re.MULTILINE,
    )
    return {prefix: f"{variable}={default}" for prefix, variable, default in found}


def test_caddyfile_strips_each_api_prefix_towards_its_service() -> None:
    expected = {s.prefix: f"{s.variable}={s.default_address}" for s in routes.UPSTREAMS if s.api}
    assert _caddy_blocks() == expected


def test_caddyfile_refuses_the_operations_paths_first() -> None:
    (pattern,) = re.findall(r"^\t@operations path_regexp (\S+)$", CADDYFILE, flags=re.MULTILINE)
    route_block = CADDYFILE[CADDYFILE.index("\troute {") :]
    first = route_block.splitlines()[1].strip()
    assert first == "respond @operations 404"
    # Go's regexp and Python's agree on this syntax: check it on every operations path.
    compiled = re.compile(pattern)
    for path in _operations_paths():
        assert compiled.match(path), path
    for path in SAMPLE_PATHS:
        assert bool(compiled.match(path)) == (_expected(path) is None and _is_operations(path))


def _is_operations(path: str) -> bool:
    rest = re.sub(r"^/api/[^/]+", "", path) if path.lower().startswith("/api/") else path
    return any(rest.lower() == op or rest.lower().startswith(op + "/") for op in routes.OPERATIONS)


def test_caddyfile_sends_the_pages_and_the_rest_home() -> None:
    for service in routes.UPSTREAMS:
        if not service.pages:
            continue
        (paths,) = re.findall(
            rf"^\t@{service.name}_pages path (.+)$", CADDYFILE, flags=re.MULTILINE
        )
        assert set(paths.split()) == {p for page in service.pages for p in (page, page + "/*")}
        assert (
            f"reverse_proxy @{service.name}_pages {{${service.variable}:{service.default_address}}}"
            in CADDYFILE
        )
    home = routes.upstream(routes.HOME)
    last = CADDYFILE.rstrip().splitlines()[-3].strip()
    assert last == f"reverse_proxy {{${home.variable}:{home.default_address}}}"


def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("no caddy binary (apt-get install caddy): the Caddyfile is not parsed here")
    done = subprocess.run(
        [caddy, "adapt", "--config", str(DEPLOY / "caddy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":80"]


def test_compose_proxy_is_caddy_with_the_caddyfile_in_front_of_every_service() -> None:
    proxy = COMPOSE["services"]["proxy"]
    assert proxy["image"].startswith("caddy:2")
    assert "./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert "127.0.0.1:8000:80" in proxy["ports"]
    assert proxy["environment"]["SITE_ADDRESS"] == ":80"
    admin = proxy["environment"]["CADDY_ADMIN"]
    assert f"http://{admin}/config/" in " ".join(proxy["healthcheck"]["test"])
    for service in routes.services():
        assert proxy["depends_on"][service.name]["condition"] == "service_healthy"
        # The Caddyfile's default upstream is this compose service on its HTTP port.
        host, port = service.default_address.split(":")
        assert host in COMPOSE["services"], f"the proxy routes to {host}, not in compose"
        assert _env(host)["HTTP_PORT"] == port
        assert f"{service.variable}" not in proxy["environment"]


def _trusted_proxies() -> dict[str, set[str]]:
    """FORWARDED_ALLOW_IPS of every service, in compose and in each Deployment."""
    found: dict[str, set[str]] = {"compose": set(), "k8s": set()}
    for service in SERVICES:
        found["compose"].add(_env(service).get("FORWARDED_ALLOW_IPS", ""))
        (container,) = _manifests(service)["Deployment"]["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        found["k8s"].add(str(env.get("FORWARDED_ALLOW_IPS", "")))
    return found


def test_the_services_believe_the_forwarded_client_of_the_proxy_alone() -> None:
    """Behind Caddy or the Ingress, every request comes from the proxy: unless the services
    trust its X-Forwarded-For (and only its own), the anonymous rate limits count the
    whole world as one client, or let anyone pick the address it is counted under."""
    trusted = _trusted_proxies()
    (compose,) = trusted["compose"]
    (k8s,) = trusted["k8s"]  # one value for every service: one controller in front
    proxy = COMPOSE["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    assert compose == proxy, "compose trusts exactly the proxy's fixed address"
    (network,) = COMPOSE["networks"]["default"]["ipam"]["config"]
    subnet, dynamic = (
        ipaddress.ip_network(network["subnet"]),
        ipaddress.ip_network(network["ip_range"]),
    )
    # The proxy's address is the network's, never one Docker may give another container.
    assert ipaddress.ip_address(proxy) in subnet and ipaddress.ip_address(proxy) not in dynamic
    assert dynamic.subnet_of(subnet)
    for value in (compose, k8s):
        networks = [ipaddress.ip_network(v.strip()) for v in value.split(",")]
        assert all(n.is_private and not n.is_loopback for n in networks), value


@pytest.mark.parametrize("where", ["compose", "k8s"])
async def test_the_proxy_s_forwarded_client_is_the_one_counted(where: str) -> None:
    """Through the services' own middleware, with the value deployed: a request the proxy
    forwards is counted under its client, one from elsewhere under its own address."""
    (value,) = _trusted_proxies()[where]
    proxy = next(iter(ipaddress.ip_network(value.split(",")[0]).hosts()))
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])

    trusting = ProxyHeadersMiddleware(app, trusted_hosts=value)
    for peer in (str(proxy), "203.0.113.50"):
        scope = {
            "type": "http",
            "client": (peer, 40_000),
            "headers": [(b"x-forwarded-for", b"198.51.100.7")],
        }
        await trusting(scope, None, None)
    assert seen == ["198.51.100.7", "203.0.113.50"]


@pytest.mark.parametrize("service", SERVICES)
def test_links_rendered_by_a_service_lead_to_the_one_address(service: str) -> None:
    assert _env(service)["PUBLIC_URL"] == routes.public_url(service, COMPOSE_ADDRESS)
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "secrets.example.yaml").read_text("utf-8"))
    secrets = {d["metadata"]["name"]: d["stringData"] for d in documents if d["kind"] == "Secret"}
    public = f"https://{routes.INGRESS_HOST}"
    assert secrets[f"deformations-{service}"]["PUBLIC_URL"] == routes.public_url(service, public)
    if service == "notifications":
        assert _env(service)["APP_URL"] == COMPOSE_ADDRESS
        assert secrets["deformations-notifications"]["APP_URL"] == public


def _portal_service_urls() -> dict[str, dict[str, str]]:
    """The portal's SERVICE_URLS in compose and in the example Secret of Kubernetes."""
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "secrets.example.yaml").read_text("utf-8"))
    secrets = {d["metadata"]["name"]: d["stringData"] for d in documents if d["kind"] == "Secret"}
    return {
        "compose": json.loads(_env("portal")["SERVICE_URLS"]),
        "k8s": json.loads(secrets["deformations-portal"]["SERVICE_URLS"]),
    }


@pytest.mark.parametrize("where", ["compose", "k8s"])
def test_the_portal_reaches_every_api_at_the_services_own_address(where: str) -> None:
    """Not through the one address: the operations API its back-office calls (dead letters
    of every service) is 404 there."""
    urls = _portal_service_urls()[where]
    # Every service with an API behind the proxy, training included (its pages are the
    # portal's, which call it with the person's token).
    assert set(urls) == {s.name for s in routes.UPSTREAMS if s.api}
    for name, base in urls.items():
        parts = urlsplit(base)
        assert parts.hostname == name, base
        assert parts.path in ("", "/"), base
        if where == "compose":
            # Every service listens on port 8000 inside compose.
            assert parts.port == 8000, base
            assert name in COMPOSE["services"], base
        else:
            # The service's Service, port 80, in the portal's namespace.
            assert parts.port is None, base
    assert routes.route("/api/training/v1/operations/dead-letters") is None


def test_training_verifies_the_tokens_the_portal_issues() -> None:
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "secrets.example.yaml").read_text("utf-8"))
    secrets = {d["metadata"]["name"]: d["stringData"] for d in documents if d["kind"] == "Secret"}
    portal, training = secrets["deformations-portal"], secrets["deformations-training"]
    # The portal signs with its issuer (PUBLIC_URL) for the audience of each service's name.
    assert training["JWT_ISSUER"] == portal["PUBLIC_URL"]
    assert training["JWT_JWKS_URL"] == portal["JWT_JWKS_URL"]
    assert training["JWT_AUDIENCE"] == "training"
    env = _env("training")
    assert env["JWT_ISSUER"] == _env("portal")["PUBLIC_URL"]
    assert env["JWT_AUDIENCE"] == "training"
    jwks = urlsplit(env["JWT_JWKS_URL"])
    assert (jwks.hostname, jwks.port) == ("portal", int(_env("portal")["HTTP_PORT"]))
    assert jwks.path == "/.well-known/jwks.json"


def test_a_link_rendered_from_the_public_url_reaches_its_service() -> None:
    # A service with pages renders links to them from PUBLIC_URL (notifications'
    # unsubscribe and reply links); one without pages, links into its own API.
    for service in routes.UPSTREAMS:
        base = urlsplit(routes.public_url(service.name, COMPOSE_ADDRESS)).path
        for page in service.pages:
            assert _expected(base + page) == (service.name, page)
            assert _expected(base + page + "/x") == (service.name, page + "/x")
        if not service.pages:
            assert _expected(base + "/v1/x") == (service.name, "/v1/x")


# --- make run ---------------------------------------------------------------------------


def _load_launcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "run_platform", ROOT / "scripts" / "run_platform.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_run_points_links_at_the_one_address_or_else_at_each_port() -> None:
    launcher = _load_launcher()
    host, port = launcher.ONE_ADDRESS
    address = f"http://{host}:{port}"
    assert address == "http://127.0.0.1:8000"
    assert launcher.app_url(address) == address
    for name, own_port in launcher.SERVICES.items():
        env = launcher.service_env({}, name, own_port, address)
        expected = routes.public_url(name, address) or f"http://127.0.0.1:{own_port}"
        assert env["PUBLIC_URL"] == expected
        # Without Caddy every service is on its own port, and so are its links.
        alone = launcher.service_env({}, name, own_port, None)
        assert alone["PUBLIC_URL"] == f"http://127.0.0.1:{own_port}"
    assert launcher.service_env({}, "lending", 8003, address)["PUBLIC_URL"] == (
        f"{address}/api/lending"
    )
    assert launcher.app_url(None) == f"http://127.0.0.1:{launcher.SERVICES[routes.HOME]}"
    # Caddy of make run reads the committed Caddyfile, with each service on its own port.
    assert launcher.CADDYFILE == DEPLOY / "caddy" / "Caddyfile"
    env = routes.caddy_env(address, {"lending": "127.0.0.1:8003"}, "/tmp/state")
    assert env["SITE_ADDRESS"] == address
    assert env["LENDING_UPSTREAM"] == "127.0.0.1:8003"
    assert "{$LENDING_UPSTREAM:" in CADDYFILE
