"""Settings of the matching service."""

from pydantic import Field

from deformations_common.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = Field(default="matching", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8002
    public_url: str = "http://127.0.0.1:8002"
    # Need ↔ offer proposals published for each new request.
    proposals_per_request: int = Field(default=3, ge=1, le=10)
    # Period of the global re-match (seconds); 0 disables the periodic job.
    rematch_interval_s: float = Field(default=3600.0, ge=0)
    # Candidate offers per request given to the global assignment.
    rematch_candidates: int = Field(default=8, ge=1, le=50)
