"""Service settings, read from the environment (12-factor)."""

from enum import StrEnum

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "deformations-dev-secret-not-for-production"  # noqa: S105 - dev issuer only


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
    environment: Environment = Environment.DEV
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    # The DB schema the service owns; defaults to the service name.
    db_schema: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)

    events_exchange: str = "deformations.events"
    # Prefix of every queue this service declares (isolates parallel test runs).
    queue_prefix: str = ""
    prefetch: int = Field(default=64, ge=1, le=10_000)
    delivery_limit: int = Field(default=10, ge=1)
    # Delays of the retry queues for transient failures, in milliseconds, one per attempt.
    retry_delays_ms: list[int] = Field(default=[1_000, 5_000, 30_000, 120_000])
    max_attempts: int = Field(default=6, ge=1)
    # A DLQ refuses new dead letters past this many (see deploy/README.md, dead letters).
    dlq_max_length: int = Field(default=100_000, ge=1)
    # Batchable handlers: transactions running at once per queue, events per transaction,
    # and how long such a transaction waits for a row lock before its events go one by one.
    consumer_transactions: int = Field(default=2, ge=1, le=64)
    consumer_batch_max: int = Field(default=64, ge=1, le=1_000)
    consumer_batch_lock_timeout_ms: int = Field(default=200, ge=1, le=60_000)

    outbox_batch_size: int = Field(default=200, ge=1, le=10_000)
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    # Batches published side by side; events of different batches may arrive out of order.
    outbox_relay_workers: int = Field(default=2, ge=1, le=16)

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65_535)
    public_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_json: bool = True

    jwt_secret: SecretStr | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "deformations-dev"
    jwt_audience: str = "deformations"

    @property
    def schema_name(self) -> str:
        return self.db_schema or self.service_name

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.events_exchange}.dlx"

    def dev_jwt_secret(self) -> str:
        """The HS256 secret of the dev issuer; production must use a JWKS URL."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        if self.environment is Environment.PRODUCTION:
            raise RuntimeError("JWT_SECRET or JWT_JWKS_URL is required in production")
        return DEV_JWT_SECRET

    @model_validator(mode="after")
    def _production_has_real_auth(self) -> "ServiceSettings":
        if self.environment is Environment.PRODUCTION and not (
            self.jwt_jwks_url or self.jwt_secret
        ):
            raise ValueError("production needs JWT_JWKS_URL (or JWT_SECRET): no secret defaults")
        if not self.retry_delays_ms:
            raise ValueError("RETRY_DELAYS_MS needs at least one delay")
        return self
