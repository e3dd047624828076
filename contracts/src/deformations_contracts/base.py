"""The base of every event data model."""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

SCHEMA_BASE_URI = "https://deformations.fr/schemas/"

# Validation context key set by ``validate_strict``: nested values then reject unknown
# fields too (see ``values.ValueModel``).
FORBID_UNKNOWN_FIELDS = "forbid_unknown_fields"


class EventData(BaseModel):
    """Data of one event type. Subclasses set ``routing_key`` and ``producer``.

    Consumers ignore unknown fields (``extra="ignore"``) so a producer may add optional
    fields within a major version; producers build instances or call ``validate_strict``.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    routing_key: ClassVar[str]
    producer: ClassVar[str]
    # Services that may publish this event besides ``producer`` (e.g. sessions come from
    # lending and matching); the topology grants them the right to publish it.
    other_producers: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def event_type(cls) -> str:
        return f"fr.deformations.{cls.routing_key}"

    @classmethod
    def producers(cls) -> tuple[str, ...]:
        """Every service allowed to publish this event, main producer first."""
        return (cls.producer, *cls.other_producers)

    @classmethod
    def dataschema(cls) -> str:
        return f"{SCHEMA_BASE_URI}{cls.routing_key}.json"

    def subject(self) -> str | None:
        """The ``ce-subject`` of the event: the id of the thing it is about."""
        return None

    @classmethod
    def validate_strict(cls, data: Any) -> "EventData":
        """Producer-side validation: unknown fields are an error, not ignored."""
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(cls.model_fields))
            if unknown:
                raise ValidationError.from_exception_data(
                    cls.__name__,
                    [
                        {"type": "extra_forbidden", "loc": (name,), "input": data[name]}
                        for name in unknown
                    ],
                )
        return cls.model_validate(data, context={FORBID_UNKNOWN_FIELDS: True})
