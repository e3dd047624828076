"""Settings of the diagnosis service."""

from pydantic import Field

from deformations_common.settings import ServiceSettings


class DiagnosisSettings(ServiceSettings):
    service_name: str = Field(default="diagnosis", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8001
    public_url: str = "http://127.0.0.1:8001"
