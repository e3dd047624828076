"""Service settings, read from the environment (12-factor)."""

import re
import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from deformations_common.geography import load_geography
from deformations_common.scope import PlatformMisconfigured, PlatformScope

DEV_JWT_SECRET = "deformations-dev-secret-not-for-production"  # noqa: S105 - dev issuer only
DEV_JWT_ISSUER = "deformations-dev"
# Values that are published (in this repository, its examples and its compose file):
# whoever reads them could sign tokens, so production refuses them.
_PLACEHOLDER_SECRET = re.compile(
    r"change-?me|not-for-production|dev-(?:password|secret|token)|^secret$|^password$", re.I
)
MIN_SECRET_LENGTH = 16


class InsecureConfiguration(ValueError):
    """A production setting missing or left at a published value: the service must not start."""


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """What every service reads from its environment.

    A service subclasses it to add its own fields; names map to upper-case variables
    (``AMQP_URL``, ``DATABASE_URL``, ``EVENTS_EXCHANGE``…).
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    service_name: str = Field(default="service", pattern=r"^[a-z][a-z0-9_]*$")
    # Fail closed: forgetting ENVIRONMENT gives production, never the dev shortcuts
    # (dev issuer and secrets, clock overrides), which need an explicit ENVIRONMENT=dev.
    environment: Environment = Environment.PRODUCTION
    # One broker URL, or the nodes of a cluster separated by commas (failover in turn).
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    # Deadline of any one wait on the broker: a publish's confirm, a channel's opening, one
    # node's connection attempt with the restoring of its channels and consumers. Past it
    # the wait is given up (the event stays in the outbox, the message goes back to its
    # queue, the next node is tried) instead of hanging on a broker that stopped answering.
    broker_timeout_s: float = Field(default=30.0, gt=0)
    # The AMQP heartbeat every broker connection asks for, unless AMQP_URL sets
    # ``heartbeat=``: a node gone without closing the TCP connection (cut off, frozen) is
    # noticed after about three of them, and the connection fails over.
    broker_heartbeat_s: int = Field(default=15, ge=1, le=3_600)
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    # The DB schema the service owns; defaults to the service name.
    db_schema: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)
    # Deadlines: waiting for a pooled connection, opening one, and any one statement.
    # Past them the work fails fast (HTTP 503, a consumer waits the outage out).
    db_acquire_timeout_s: float = Field(default=10.0, gt=0)
    db_connect_timeout_s: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=30_000, ge=0)

    events_exchange: str = "deformations.events"
    # False where the broker's definitions create the events and dead-letter exchanges
    # (deploy/rabbitmq): the service then only checks they exist (a passive declare), as
    # its broker user has no configure right on them and so can never delete them.
    declare_shared_exchanges: bool = True
    # Prefix of every queue this service declares (isolates parallel test runs).
    queue_prefix: str = ""
    prefetch: int = Field(default=64, ge=1, le=10_000)
    delivery_limit: int = Field(default=10, ge=1)
    # Delays of the retry queues for transient failures, in milliseconds, one per attempt.
    retry_delays_ms: list[int] = Field(default=[1_000, 5_000, 30_000, 120_000])
    max_attempts: int = Field(default=6, ge=1)
    # A message that met a database outage is held (unacked, not counted as an attempt)
    # for up to this long while the database is probed; then parked in the first retry
    # queue, still not counted. Keep it well below RabbitMQ's consumer_timeout (30 min).
    consumer_outage_hold_s: float = Field(default=240.0, gt=0, le=1_500)
    # A DLQ refuses new dead letters past this many (see deploy/README.md, dead letters).
    dlq_max_length: int = Field(default=100_000, ge=1)
    # The events' maximum replay age: a dead letter older than this is not redriven, so an
    # erased person's tombstone is kept this long, then pruned (deformations_common.erasure).
    erased_people_retention_days: int = Field(default=90, ge=1)
    tombstone_prune_interval_s: float = Field(default=6 * 3600, gt=0)
    # Batchable handlers: transactions running at once per queue, events per transaction,
    # and how long such a transaction waits for a row lock before its events go one by one.
    consumer_transactions: int = Field(default=2, ge=1, le=64)
    consumer_batch_max: int = Field(default=64, ge=1, le=1_000)
    consumer_batch_lock_timeout_ms: int = Field(default=200, ge=1, le=60_000)

    outbox_batch_size: int = Field(default=200, ge=1, le=10_000)
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    # Batches published side by side; events of different batches may arrive out of order.
    outbox_relay_workers: int = Field(default=2, ge=1, le=16)

    # The largest request body accepted (413 beyond, before the body is read).
    max_body_bytes: int = Field(default=1_048_576, ge=1_024)
    # Rate limits declared by the service (ServiceDefinition.rate_limits): on or off, and
    # a factor on every declared rate and burst (2.0 allows twice as many requests).
    rate_limits_enabled: bool = True
    rate_limit_multiplier: float = Field(default=1.0, gt=0)
    # The proxies whose X-Forwarded-For gives the client address (comma-separated
    # addresses or networks, or "*"): Caddy's or the Ingress controller's. Only the local
    # host by default: an untrusted peer could otherwise pick any address it likes.
    forwarded_allow_ips: str = "127.0.0.1"

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65_535)
    public_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_json: bool = True

    # The TOML file of the platform of one Région (PLATFORM_FILE): the portal reads all of it
    # (name, look, legal entity), matching and the statistics its territory (region,
    # departements, outside_allowed). Without it: the whole country, no restriction.
    platform_file: str | None = None

    jwt_secret: SecretStr | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str = DEV_JWT_ISSUER
    jwt_audience: str = "deformations"

    # Secret fields a subclass needs in production (e.g. notifications' TOKEN_SECRET);
    # each must be set to a value of at least MIN_SECRET_LENGTH, not a published one.
    required_secrets: ClassVar[tuple[str, ...]] = ()

    @property
    def schema_name(self) -> str:
        return self.db_schema or self.service_name

    def platform_scope(self) -> PlatformScope:
        """The territory of PLATFORM_FILE, checked against the COG (raises when wrong);
        read once per file and process."""
        return _scope_of(self.platform_file) if self.platform_file else PlatformScope()

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.events_exchange}.dlx"

    @property
    def dev_shortcuts(self) -> bool:
        """Whether dev conveniences (dev issuer, dev secrets, clock overrides) are allowed:
        only with an explicit ``ENVIRONMENT=dev`` (or ``test``, set by the test suite)."""
        return self.environment in (Environment.DEV, Environment.TEST)

    def dev_jwt_secret(self) -> str:
        """The HS256 secret of the dev issuer; production uses the issuer's JWKS."""
        if not self.dev_shortcuts:
            raise InsecureConfiguration("the dev issuer exists only with ENVIRONMENT=dev")
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return DEV_JWT_SECRET

    @model_validator(mode="after")
    def _production_has_real_auth(self) -> "ServiceSettings":
        if not self.retry_delays_ms:
            raise ValueError("RETRY_DELAYS_MS needs at least one delay")
        if self.environment is Environment.PRODUCTION:
            problems = self.production_problems()
            if problems:
                raise InsecureConfiguration(
                    "refusing to start in production (ENVIRONMENT=production, the default): "
                    + "; ".join(problems)
                    + ". Set them, or ENVIRONMENT=dev for a local run."
                )
        return self

    def production_problems(self) -> list[str]:
        """What keeps these settings from running in production, in words."""
        problems: list[str] = []
        given = self.model_fields_set
        if not self.jwt_jwks_url:
            problems.append("JWT_JWKS_URL is required (the JWKS of the token issuer)")
        if "jwt_issuer" not in given or self.jwt_issuer in ("", DEV_JWT_ISSUER):
            problems.append("JWT_ISSUER is required (not the dev issuer)")
        if "jwt_audience" not in given or not self.jwt_audience:
            problems.append("JWT_AUDIENCE is required")
        if self.jwt_secret is not None:
            problems.append("JWT_SECRET belongs to the dev issuer: remove it")
        for name in self.required_secrets:
            value = getattr(self, name)
            if value is None:
                problems.append(f"{name.upper()} is required")
        for name in type(self).model_fields:
            value = getattr(self, name)
            if not isinstance(value, SecretStr):
                continue
            secret = value.get_secret_value()
            if _PLACEHOLDER_SECRET.search(secret):
                problems.append(f"{name.upper()} is a published placeholder: use a real secret")
            elif name in self.required_secrets and len(secret) < MIN_SECRET_LENGTH:
                problems.append(f"{name.upper()} needs at least {MIN_SECRET_LENGTH} characters")
        return problems


@cache
def _scope_of(path: str) -> PlatformScope:
    try:
        with Path(path).open("rb") as source:
            data = tomllib.load(source)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PlatformMisconfigured(
            f"Le fichier de la plateforme {path} est illisible : {error}", path=path
        ) from error
    return PlatformScope.from_mapping(data, load_geography())
