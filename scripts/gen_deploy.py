"""Generate the broker and database definitions under deploy/ from one table of services.

Writes ``deploy/rabbitmq/definitions.json`` (vhost, exchanges, one user per service, an
operator account) and ``deploy/postgres/init.sql`` (one role and one schema per service).
The passwords are for local development only; production creates its own secrets.
From the routes of ``scripts/one_address.py`` it writes the reverse proxy's
``deploy/caddy/Caddyfile`` and the Kubernetes ``deploy/k8s/ingress.yaml``. From the
platform of one Région (``PLATFORM_SOURCE``, a demo one) it writes the ConfigMap
``deploy/k8s/platform.yaml``: its TOML file, which the portal, matching and the statistics
read (``PLATFORM_FILE``), and the name and colour notifications puts in its mails.

    uv run python scripts/gen_deploy.py          # rewrite the files
    uv run python scripts/gen_deploy.py --check  # exit 1 when a committed file is stale
"""

import argparse
import base64
import hashlib
import importlib
import json
import re
import sys
import tomllib
from pathlib import Path

# The route table sits beside this script, however the script is loaded (run or imported).
sys.path.insert(0, str(Path(__file__).resolve().parent))
import one_address

from deformations_common.producers import produced_by
from deformations_devtools.portal.platforms import AUVERGNE_RHONE_ALPES

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
INIT_SQL = ROOT / "deploy" / "postgres" / "init.sql"
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
INGRESS = ROOT / "deploy" / "k8s" / "ingress.yaml"
PLATFORM_CONFIGMAP = ROOT / "deploy" / "k8s" / "platform.yaml"
# The Région the manifests deploy, until an operator puts their own file in the ConfigMap.
PLATFORM_SOURCE = AUVERGNE_RHONE_ALPES
# Where the services that read the platform's file find it (compose and Kubernetes).
PLATFORM_MOUNT = "/etc/deformations/platform.toml"
# The services that read the whole file or its territory; notifications takes two values.
PLATFORM_READERS = ("portal", "matching", "statistics")

SERVICES = (
    "diagnosis",
    "matching",
    "lending",
    "notifications",
    "portal",
    "training",
    "statistics",
)
VHOST = "/"
EVENTS_EXCHANGE = "deformations.events"
DEAD_LETTER_EXCHANGE = f"{EVENTS_EXCHANGE}.dlx"
ADMIN_USER = "admin"
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"


# What each service consumes, read from its declared handlers. Permissions do not depend
# on it (they are anchored on the service's own prefix, so a new subscription needs no
# change here); the deploy tests use it to compute real queue names with the topology.
def _subscriptions() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for service in SERVICES:
        handlers = importlib.import_module(f"deformations_{service}.subscribers").handlers
        found[service] = tuple(handlers.registrations)
    return found


SUBSCRIPTIONS = _subscriptions()


def dev_password(user: str) -> str:
    """The local-development password of a broker user or database role."""
    return f"{user}-dev-password"


def rabbit_password_hash(password: str, salt: bytes) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + password)).

    The salt is 4 bytes, as the broker itself generates it.
    """
    if len(salt) != 4:
        raise ValueError("RabbitMQ password salts are 4 bytes")
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    return base64.b64encode(salt + digest).decode("ascii")


def _dev_salt(user: str) -> bytes:
    # Derived from the user name so that regenerating gives byte-identical files; real
    # deployments set passwords with rabbitmqctl, which draws a random salt.
    return hashlib.sha256(f"deformations-dev-salt:{user}".encode()).digest()[:4]


def _alternatives(*patterns: str) -> str:
    return "^(" + "|".join(patterns) + ")$"


def service_permissions(service: str) -> dict[str, str]:
    """The vhost permissions of a service: its own queues, and publishing where it must.

    Queues of a service are all named ``<service>.<...>`` (main, ``.dlq``, ``.retry.<ms>ms``).
    Declaring or deleting a resource needs configure on it: only the service's own. The
    shared exchanges come from these definitions and the services declare them passively
    (``DECLARE_SHARED_EXCHANGES=false``), so no service can delete them. Binding a queue
    needs read on the exchange, and publishing needs write on the exchange.
    """
    own = re.escape(service) + r"\..+"
    events = re.escape(EVENTS_EXCHANGE)
    dead_letters = re.escape(DEAD_LETTER_EXCHANGE)
    # Retries go through the service's own ``<service>.retry`` exchange, covered by ``own``:
    # no write on the default exchange, which would reach any queue by its name.
    return {
        "configure": _alternatives(own),
        "write": _alternatives(own, events, dead_letters),
        "read": _alternatives(own, events, dead_letters),
    }


def produced_keys(service: str) -> tuple[str, ...]:
    """The routing keys ``service`` may publish: the runtime's table of declared producers."""
    return produced_by(service)


def topic_permissions(service: str) -> dict[str, str]:
    """What ``service`` may publish on the events exchange: only the keys it produces.

    ``^$`` (the empty key, never used) for a service that produces nothing. Reading stays
    open: a consumer binds by the events it handles, and its queues are its own anyway.
    """
    keys = produced_keys(service)
    write = _alternatives(*(re.escape(key) for key in keys)) if keys else "^$"
    return {
        "user": service,
        "vhost": VHOST,
        "exchange": EVENTS_EXCHANGE,
        "write": write,
        "read": ".*",
    }


def _exchange(name: str, kind: str) -> dict[str, object]:
    return {
        "name": name,
        "vhost": VHOST,
        "type": kind,
        "durable": True,
        "auto_delete": False,
        "internal": False,
        "arguments": {},
    }


def definitions() -> dict[str, object]:
    users: list[dict[str, object]] = [
        {
            "name": ADMIN_USER,
            "password_hash": rabbit_password_hash(dev_password(ADMIN_USER), _dev_salt(ADMIN_USER)),
            "hashing_algorithm": HASHING_ALGORITHM,
            # Operators: management UI, policies, users (administrator includes management).
            "tags": ["administrator"],
        }
    ]
    permissions: list[dict[str, str]] = [
        {"user": ADMIN_USER, "vhost": VHOST, "configure": ".*", "write": ".*", "read": ".*"}
    ]
    for service in SERVICES:
        users.append(
            {
                "name": service,
                "password_hash": rabbit_password_hash(dev_password(service), _dev_salt(service)),
                "hashing_algorithm": HASHING_ALGORITHM,
                "tags": [],
            }
        )
        permissions.append({"user": service, "vhost": VHOST, **service_permissions(service)})
    return {
        "_comment": (
            "Generated by scripts/gen_deploy.py. Passwords are for local development only "
            "(<user>-dev-password); set real ones with rabbitmqctl change_password."
        ),
        "users": users,
        "vhosts": [{"name": VHOST}],
        "permissions": permissions,
        "topic_permissions": [topic_permissions(service) for service in SERVICES],
        "parameters": [],
        "global_parameters": [],
        "policies": [],
        "exchanges": [
            _exchange(EVENTS_EXCHANGE, "topic"),
            _exchange(DEAD_LETTER_EXCHANGE, "direct"),
        ],
        "queues": [],
        "bindings": [],
    }


def init_sql() -> str:
    lines = [
        "-- Generated by scripts/gen_deploy.py; edit the script, not this file.",
        "-- One login role per service, owning one schema named after it; no role can use",
        "-- another's schema. Passwords are for local development only: production creates",
        "-- the roles with its own secrets (ALTER ROLE ... PASSWORD ...).",
        "-- Run once by a superuser in the platform's database (the postgres image does it",
        "-- at first start from /docker-entrypoint-initdb.d/).",
        "",
        "-- Nobody creates objects in public, and only the service roles may connect.",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        "DO $$ BEGIN",
        "    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());",
        "END $$;",
    ]
    for service in SERVICES:
        lines += [
            "",
            f"CREATE ROLE {service} LOGIN PASSWORD '{dev_password(service)}'",
            "    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;",
            # CONNECT only: the schema is created here, so migrations never create one.
            "DO $$ BEGIN",
            f"    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {service}', current_database());",
            "END $$;",
            f"CREATE SCHEMA {service} AUTHORIZATION {service};",
            f"REVOKE ALL ON SCHEMA {service} FROM PUBLIC;",
            f"ALTER ROLE {service} SET search_path = {service}, public;",
        ]
    return "\n".join(lines) + "\n"


def platform_values(source: Path = PLATFORM_SOURCE) -> dict[str, str]:
    """What notifications reads of the platform: its name and its primary colour."""
    with source.open("rb") as file:
        described = tomllib.load(file)
    return {"PLATFORM_NAME": described["name"], "PLATFORM_COLOUR": described["palette"]["primary"]}


def platform_configmap(source: Path = PLATFORM_SOURCE) -> str:
    """The ConfigMap of the platform: its TOML file as is, and notifications' two values."""
    toml = source.read_text("utf-8")
    lines = [
        f"# Generated by scripts/gen_deploy.py from the demo platform {source.name}.",
        "# Another Région: set the script's PLATFORM_SOURCE to its file and run the script",
        "# again. The portal, matching and the statistics mount platform.toml at",
        f"# {PLATFORM_MOUNT} (PLATFORM_FILE); notifications reads PLATFORM_NAME",
        "# and PLATFORM_COLOUR.",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: deformations-platform",
        "  namespace: deformations",
        "  labels:",
        "    app.kubernetes.io/part-of: deformations",
        "data:",
    ]
    for key, value in platform_values(source).items():
        lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("  platform.toml: |")
    lines += [f"    {line}" if line else "" for line in toml.splitlines()]
    return "\n".join(lines) + "\n"


def rendered() -> dict[Path, str]:
    return {
        DEFINITIONS: json.dumps(definitions(), indent=2, ensure_ascii=False) + "\n",
        INIT_SQL: init_sql(),
        CADDYFILE: one_address.caddyfile(),
        INGRESS: one_address.ingress_yaml(),
        PLATFORM_CONFIGMAP: platform_configmap(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail when a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in rendered().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path.relative_to(ROOT))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("stale, run scripts/gen_deploy.py: " + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
