"""Settings of the notifications service."""

from pydantic import Field, SecretStr

from deformations_common.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = Field(default="notifications", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8004
    public_url: str = "http://127.0.0.1:8004"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65_535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "notifications@deformations.example.org"
