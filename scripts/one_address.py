"""One address for the whole platform: the routes of its reverse proxy, in one table.

People reach every page at the site's root; other systems reach each service's API under
``/api/<service>/`` (the prefix is stripped before the service sees the request). The
operations endpoints (Prometheus metrics, API docs, AsyncAPI, the operators' API of dead
letters) are not public: the proxy answers 404 for them, and they stay on each service's
own port, where the portal's back-office calls them.

From this table ``scripts/gen_deploy.py`` writes the Caddyfile (``deploy/caddy/Caddyfile``,
used by ``make run`` and docker compose) and the Kubernetes Ingress
(``deploy/k8s/ingress.yaml``); ``route`` is the reference the tests hold both to.
``scripts/run_platform.py`` uses the helpers at the end to start Caddy in ``make run``.
"""

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

# The service that serves "/" and every page path not claimed below: the portal (home,
# sign-in, « Mon espace », the pages the e-mails link to). Rerun scripts/gen_deploy.py.
HOME = "portal"


@dataclass(frozen=True)
class Upstream:
    """A service behind the one address.

    ``pages`` are the people-facing paths it serves at the site's root, each with what lies
    under it (``/quiz`` covers ``/quiz`` and ``/quiz/…``)."""

    name: str
    pages: tuple[str, ...] = ()
    api: bool = True

    @property
    def prefix(self) -> str:
        return f"/api/{self.name}"

    @property
    def variable(self) -> str:
        """The environment variable giving its address to Caddy (``host:port``)."""
        return f"{self.name.upper()}_UPSTREAM"

    @property
    def default_address(self) -> str:
        """Its address in compose and Kubernetes: the service name, port 8000."""
        return f"{self.name}:8000"


UPSTREAMS = (
    # The quiz, its result pages, and a campaign's quiz and collective result.
    Upstream("diagnosis", pages=("/quiz", "/resultats", "/c")),
    Upstream("matching"),
    Upstream("lending"),
    # The one-click pages of the e-mails: unsubscribe, answer or report through the relay.
    Upstream("notifications", pages=("/v1/unsubscribe", "/v1/relay/reply", "/v1/relay/report")),
    # Its pages are the portal's (/formations, /organisme/formations…): the API only.
    Upstream("training"),
    # The Région's figures; its open-data export is public (/api/statistics/v1/open-data).
    Upstream("statistics"),
)

# Served on each service's own port only (Prometheus scrapes it there; docs are for
# developers; the portal calls the operations API, dead letters, at the services' own
# addresses): 404 at the public entry point, at the root and under every API prefix.
OPERATIONS = (
    "/metrics",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/asyncapi.json",
    "/v1/operations",
)
# Root namespaces that are never the home service's: the APIs live under /api/<service>
# only, so /v1/… at the root is nobody's (except the pages claimed above).
RESERVED = ("/api", "/v1")

SITE_ADDRESS_VARIABLE = "SITE_ADDRESS"
ADMIN_VARIABLE = "CADDY_ADMIN"


def upstream(name: str) -> Upstream:
    for candidate in UPSTREAMS:
        if candidate.name == name:
            return candidate
    if name == HOME:
        return Upstream(name, api=False)
    raise KeyError(name)


def services() -> tuple[Upstream, ...]:
    """Every service the proxy forwards to, the home one included."""
    names = [u.name for u in UPSTREAMS]
    return UPSTREAMS if HOME in names else (*UPSTREAMS, upstream(HOME))


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base + "/")


def _operations(path: str) -> bool:
    lowered = path.lower()
    return any(_under(lowered, op) for op in OPERATIONS)


@dataclass(frozen=True)
class Routed:
    service: str
    path: str


def route(path: str) -> Routed | None:
    """Where the public entry point sends ``path`` (without query), or None for a 404.

    The reference model of the routes: the Caddyfile and the Ingress must agree with it."""
    if not path.startswith("/"):
        return None
    # Paths match case-insensitively, as with Caddy's path matcher and ingress-nginx.
    lowered = path.lower()
    for service in UPSTREAMS:
        if service.api and lowered.startswith(service.prefix + "/"):
            rest = path[len(service.prefix) :]
            return None if _operations(rest) else Routed(service.name, rest)
    if _operations(path):
        return None
    for service in UPSTREAMS:
        if any(_under(lowered, page) for page in service.pages):
            return Routed(service.name, path)
    if any(_under(lowered, reserved) for reserved in RESERVED):
        return None
    return Routed(HOME, path)


def public_url(name: str, address: str) -> str | None:
    """``PUBLIC_URL`` of a service behind ``address``: the links it renders must resolve.

    A service with pages renders links to them from the site's root; one without pages is
    reached by other systems under its API prefix. None for a service the proxy does not
    route to (yet): it is reached on its own port."""
    base = address.rstrip("/")
    try:
        service = upstream(name)
    except KeyError:
        return None
    return base if service.pages or name == HOME else base + service.prefix


# --- Caddy ------------------------------------------------------------------------------


def _placeholder(service: Upstream) -> str:
    return "{$" + f"{service.variable}:{service.default_address}" + "}"


def _operations_regexp() -> str:
    names = "|".join(re.escape(op.lstrip("/")) for op in OPERATIONS)
    return rf"(?i)^(/api/[^/]+)?/({names})(/.*)?$"


def caddyfile() -> str:
    lines = [
        "# Generated by scripts/gen_deploy.py from scripts/one_address.py; edit the table there.",
        "# The one public address of the platform: pages at the root, each service's API under",
        "# /api/<service>/ (prefix stripped). Metrics, API docs, AsyncAPI and the operations",
        "# API (/v1/operations) are 404 here: they stay on each service's own port.",
        "#",
        f"# {SITE_ADDRESS_VARIABLE}: what Caddy serves; a domain name gets automatic HTTPS",
        "#   (ports 80 and 443 reachable), :80 plain HTTP, http://127.0.0.1:8000 in make run.",
        "# <SERVICE>_UPSTREAM: host:port of a service (compose and Kubernetes names by default).",
        f"# {ADMIN_VARIABLE}: Caddy's admin endpoint (the healthcheck reads it), or off.",
        "{",
        "\tadmin {$" + ADMIN_VARIABLE + ":127.0.0.1:2019}",
        "}",
        "",
        "{$" + SITE_ADDRESS_VARIABLE + "::80} {",
        f"\t@operations path_regexp {_operations_regexp()}",
    ]
    for service in UPSTREAMS:
        if service.pages:
            paths = " ".join(f"{page} {page}/*" for page in service.pages)
            lines.append(f"\t@{service.name}_pages path {paths}")
    reserved = " ".join(f"{r} {r}/*" for r in RESERVED)
    lines.append(f"\t@reserved path {reserved}")
    lines += [
        "",
        "\t# In this order: the first that matches answers.",
        "\troute {",
        "\t\trespond @operations 404",
    ]
    for service in UPSTREAMS:
        if service.api:
            lines += [
                f"\t\thandle_path {service.prefix}/* {{",
                f"\t\t\treverse_proxy {_placeholder(service)}",
                "\t\t}",
            ]
    for service in UPSTREAMS:
        if service.pages:
            lines.append(f"\t\treverse_proxy @{service.name}_pages {_placeholder(service)}")
    lines.append("\t\trespond @reserved 404")
    lines += [
        f"\t\treverse_proxy {_placeholder(upstream(HOME))}",
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"


# --- Kubernetes Ingress (ingress-nginx) -------------------------------------------------

INGRESS_HOST = "deformations.example.org"
INGRESS_TLS = "deformations-tls"  # the name of the Secret holding the certificate


def _alternatives(paths: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(p.lstrip("/")) for p in paths) + ")"


def ingress_paths() -> dict[str, list[tuple[str, str]]]:
    """The regular-expression paths of each Ingress, as (path, service).

    ingress-nginx tries regular-expression locations in an order of its own (longest
    first) and takes the first match; these are written so that no path matches two of
    them, which makes that order irrelevant. What matches none (the operations endpoints,
    unknown prefixes) gets the controller's default 404."""
    ops = _alternatives(OPERATIONS)
    api = [(f"{s.prefix}/((?!{ops}(?:/|$)).*)", s.name) for s in UPSTREAMS if s.api]
    pages = [(f"/{_alternatives(s.pages)}(?:/|$)", s.name) for s in UPSTREAMS if s.pages]
    claimed = (*RESERVED, *(p for s in UPSTREAMS for p in s.pages), *OPERATIONS)
    pages.append((f"/(?!{_alternatives(claimed)}(?:/|$))", HOME))
    return {"api": api, "pages": pages}


def _ingress(name: str, paths: list[tuple[str, str]], rewrite: bool, why: str) -> list[str]:
    lines = [
        f"# {why}",
        "apiVersion: networking.k8s.io/v1",
        "kind: Ingress",
        "metadata:",
        f"  name: deformations-{name}",
        "  namespace: deformations",
        "  labels:",
        "    app.kubernetes.io/part-of: deformations",
        "  annotations:",
        '    nginx.ingress.kubernetes.io/use-regex: "true"',
    ]
    if rewrite:
        lines.append("    nginx.ingress.kubernetes.io/rewrite-target: /$1")
    lines += [
        "    # cert-manager.io/cluster-issuer: letsencrypt",
        "spec:",
        "  ingressClassName: nginx",
        "  tls:",
        f"    - hosts: [{INGRESS_HOST}]",
        f"      secretName: {INGRESS_TLS}",
        "  rules:",
        f"    - host: {INGRESS_HOST}",
        "      http:",
        "        paths:",
    ]
    for path, service in paths:
        lines += [
            f"          - path: '{path}'",
            "            pathType: ImplementationSpecific",
            "            backend:",
            "              service:",
            f"                name: {service}",
            "                port:",
            "                  name: http",
        ]
    return lines


def ingress_yaml() -> str:
    paths = ingress_paths()
    lines = [
        "# Generated by scripts/gen_deploy.py from scripts/one_address.py; edit the table there.",
        "# The one public address in Kubernetes (ingress-nginx), the same routes as the",
        "# Caddyfile: pages at the root, each API under /api/<service>/ with the prefix",
        "# stripped; /metrics, /docs, /redoc, /openapi.json, /asyncapi.json and /v1/operations",
        "# match no path (404), at the root and under every prefix. Set the host and the TLS",
        "# secret.",
    ]
    lines += _ingress(
        "api", paths["api"], True, "Each API under /api/<service>/, prefix stripped ($1)."
    )
    lines.append("---")
    lines += _ingress(
        "pages",
        paths["pages"],
        False,
        f"People's pages at the root; everything else goes to {HOME}.",
    )
    return "\n".join(lines) + "\n"


# --- make run ---------------------------------------------------------------------------


def find_caddy() -> str | None:
    return shutil.which("caddy")


def install_caddy(say: Callable[[str], None]) -> str | None:
    """Install Debian's caddy when this is a root shell with apt-get, as CI does."""
    if find_caddy() or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return find_caddy()
    say("installing Caddy (apt-get install caddy)…")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "caddy"]):
        done = subprocess.run(step, env=env, capture_output=True, check=False)
        if done.returncode != 0:
            say(f"{' '.join(step)} failed: {done.stderr.decode(errors='replace').strip()[-300:]}")
            return None
    return find_caddy()


def caddy_env(address: str, upstreams: dict[str, str], home: str) -> dict[str, str]:
    """The environment Caddy reads the Caddyfile with: where to listen, where each service
    is. Caddy keeps its state under ``home`` rather than the user's directories."""
    env = {
        SITE_ADDRESS_VARIABLE: address,
        ADMIN_VARIABLE: "off",
        "XDG_CONFIG_HOME": f"{home}/config",
        "XDG_DATA_HOME": f"{home}/data",
        "HOME": home,
    }
    for name, hostport in upstreams.items():
        env[upstream_variable(name)] = hostport
    return env


def upstream_variable(name: str) -> str:
    return f"{name.upper()}_UPSTREAM"
