"""CloudEvents 1.0 attributes as carried in the RabbitMQ binary content mode."""

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SPECVERSION = "1.0"
TYPE_PREFIX = "fr.deformations."
HEADER_PREFIX = "ce-"
CONTENT_TYPE = "application/json"


def event_type(routing_key: str) -> str:
    return f"{TYPE_PREFIX}{routing_key}"


def routing_key_of(ce_type: str) -> str:
    if not ce_type.startswith(TYPE_PREFIX):
        raise ValueError(f"ce-type {ce_type!r} is not a deformations event type")
    return ce_type.removeprefix(TYPE_PREFIX)


class CloudEventAttributes(BaseModel):
    """Context attributes of an event (``ce-*`` headers), extensions included."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: UUID
    source: str = Field(min_length=1)
    type: str = Field(pattern=r"^fr\.deformations\.[a-z_]+\.[a-z_]+\.v[0-9]+$")
    specversion: str = Field(default=SPECVERSION, pattern=r"^1\.0$")
    time: AwareDatetime
    subject: str | None = None
    dataschema: str | None = None
    datacontenttype: str = CONTENT_TYPE
    correlationid: str | None = None
    causationid: str | None = None
    traceparent: str | None = None

    @property
    def routing_key(self) -> str:
        return routing_key_of(self.type)
