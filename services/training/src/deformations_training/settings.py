"""Settings of the training service."""

from pydantic import Field

from deformations_common.settings import ServiceSettings


class TrainingSettings(ServiceSettings):
    service_name: str = Field(default="training", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8005
    public_url: str = "http://127.0.0.1:8005"
    # How often the jobs look for questionnaires, reminders and groups due; 0: never
    # (tests run the jobs' use cases themselves on a moved clock).
    jobs_interval_s: float = Field(default=300.0, ge=0)
