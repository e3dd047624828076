"""Settings of the notifications service."""

from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from deformations_common.action_links import DEV_LINK_SIGNING_KEY
from deformations_common.settings import Environment, ServiceSettings
from deformations_notifications.delivery.smtp import SmtpConfig
from deformations_notifications.domain.relay import RelayLimits
from deformations_notifications.domain.retry import RetryPolicy
from deformations_notifications.rendering.renderer import PLATFORM_COLOUR, PLATFORM_NAME

# Dev and tests only: production must set TOKEN_SECRET (see the validator).
DEV_TOKEN_SECRET = "deformations-dev-token-secret-not-for-production"  # noqa: S105


class NotificationsSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = ("token_secret", "link_signing_key")
    service_name: str = Field(default="notifications", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8004
    public_url: str = "http://127.0.0.1:8004"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65_535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    # Implicit TLS from the first byte (SMTPS, usually port 465); not with STARTTLS.
    smtp_tls: bool = False
    # The CA bundle that signed the SMTP server's certificate, if not a public one.
    smtp_ca_file: str | None = None
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    mail_from: str = "notifications@deformations.example.org"
    # Domain of Message-IDs, calendar UIDs and relay reply addresses.
    mail_domain: str = "deformations.example.org"
    # Where the links of the mails lead (the platform's web front).
    app_url: str = "https://deformations.example.org"
    # The Région's platform the mails speak for: the portal's PLATFORM_FILE `name` and
    # `palette.primary`: the sender's name, the heading and the buttons of the mails, the
    # pages their links open, the relay's labels and the consent people give.
    platform_name: str = Field(default=PLATFORM_NAME, min_length=1, max_length=120)
    platform_colour: str = Field(default=PLATFORM_COLOUR, pattern=r"^#[0-9a-fA-F]{6}$")
    # Signs unsubscribe links and relay reply tokens.
    token_secret: SecretStr | None = None
    # Shared with the portal: signs the action links of the loan mails it verifies.
    link_signing_key: SecretStr | None = None

    sender_poll_interval_s: float = Field(default=1.0, gt=0)
    sender_batch_size: int = Field(default=50, ge=1, le=1_000)
    # Sends in flight at once: SMTP connections, and webhook requests.
    smtp_connections: int = Field(default=4, ge=1, le=64)
    webhook_concurrency: int = Field(default=16, ge=1, le=256)
    retry_base_s: float = Field(default=30.0, gt=0)
    retry_cap_s: float = Field(default=7_200.0, gt=0)
    retry_max_attempts: int = Field(default=8, ge=1)
    # How long a claimed mail stays this sender's; a mail left 'sending' that long is in
    # doubt (its sender died) and goes again once. Longer than any SMTP exchange.
    sending_lease_s: float = Field(default=300.0, gt=0)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    # Networks webhooks may reach although not public (a receiver on the test machine);
    # empty in production: only public addresses.
    webhook_allowed_networks: list[IPv4Network | IPv6Network] = Field(default_factory=list)
    webhook_max_failures: int = Field(default=5, ge=1)
    # The contact relay's limits per sender (against spam under the platform's name).
    relay_messages_per_hour: int = Field(default=30, ge=1)
    relay_new_threads_per_day: int = Field(default=20, ge=1)
    # A reply token works until its conversation has been quiet this long: a link in an
    # old mail, forwarded or leaked, does not keep writing to someone for ever.
    relay_reply_days: int = Field(default=90, ge=1)
    # An unsubscribe link works this long: a year, since people act on mails they kept.
    unsubscribe_token_days: int = Field(default=365, ge=1, le=3_650)
    # A team's collective result mails each person at most once per this period.
    team_update_min_interval_s: float = Field(default=3_600.0, ge=0)
    # Each attendee of a session is reminded of it this many hours before it starts.
    reminder_lead_h: float = Field(default=24.0, gt=0)
    # How often the notifications-by-status gauge is recounted.
    metrics_refresh_s: float = Field(default=15.0, ge=0)

    @model_validator(mode="after")
    def _one_kind_of_smtp_tls(self) -> "NotificationsSettings":
        if self.smtp_starttls and self.smtp_tls:
            raise ValueError("choose SMTP_STARTTLS or SMTP_TLS (implicit TLS), not both")
        return self

    @model_validator(mode="after")
    def _lease_outlives_an_smtp_exchange(self) -> "NotificationsSettings":
        if self.sending_lease_s <= 2 * self.smtp_timeout_s:
            raise ValueError("SENDING_LEASE_S must exceed twice SMTP_TIMEOUT_S")
        return self

    @model_validator(mode="after")
    def _production_webhooks_reach_public_addresses_only(self) -> "NotificationsSettings":
        if self.environment is Environment.PRODUCTION and self.webhook_allowed_networks:
            raise ValueError("WEBHOOK_ALLOWED_NETWORKS is for dev and tests, not production")
        return self

    def relay_limits(self) -> RelayLimits:
        return RelayLimits(self.relay_messages_per_hour, self.relay_new_threads_per_day)

    def secret(self) -> bytes:
        if self.token_secret is not None:
            return self.token_secret.get_secret_value().encode()
        return DEV_TOKEN_SECRET.encode()

    def link_key(self) -> bytes:
        if self.link_signing_key is not None:
            return self.link_signing_key.get_secret_value().encode()
        if self.environment is Environment.PRODUCTION:
            raise RuntimeError("LINK_SIGNING_KEY is required in production")
        return DEV_LINK_SIGNING_KEY

    def smtp(self) -> SmtpConfig:
        return SmtpConfig(
            host=self.smtp_host,
            port=self.smtp_port,
            starttls=self.smtp_starttls,
            implicit_tls=self.smtp_tls,
            username=self.smtp_username,
            password=self.smtp_password.get_secret_value() if self.smtp_password else None,
            timeout=self.smtp_timeout_s,
            ca_file=self.smtp_ca_file,
        )

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            base=timedelta(seconds=self.retry_base_s),
            cap=timedelta(seconds=self.retry_cap_s),
            max_attempts=self.retry_max_attempts,
        )

    @property
    def unsubscribe_url(self) -> str:
        return f"{self.public_url.rstrip('/')}/v1/unsubscribe"

    @property
    def relay_reply_url(self) -> str:
        return f"{self.public_url.rstrip('/')}/v1/relay/reply"

    @property
    def relay_report_url(self) -> str:
        return f"{self.public_url.rstrip('/')}/v1/relay/report"
