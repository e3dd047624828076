"""Settings of the matching service."""

from pydantic import Field

from deformations_common.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = Field(default="matching", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8002
    public_url: str = "http://127.0.0.1:8002"
