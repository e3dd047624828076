"""Settings of the lending service."""

from pydantic import Field

from deformations_common.settings import ServiceSettings


class LendingSettings(ServiceSettings):
    service_name: str = Field(default="lending", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8003
    public_url: str = "http://127.0.0.1:8003"
