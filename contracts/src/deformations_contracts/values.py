"""Value objects shared by several events (periods, half-days, collectivités)."""

from datetime import date
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from deformations_contracts.base import FORBID_UNKNOWN_FIELDS
from deformations_contracts.types import HalfDayPart, InseeCode, Siren

# A stable lowercase code (family, axis, recipe, format…); consumers tolerate unknown ones.
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]

# French text written by a person (a need, an offer): trimmed, never empty, bounded.
FreeText = Annotated[str, StringConstraints(min_length=10, max_length=2000)]

# A short French text written by the platform or a person (a reason, a label).
ShortText = Annotated[str, StringConstraints(min_length=3, max_length=300)]

# The role of an agent ("Technicienne restauration collective"), never their name.
AgentRole = Annotated[str, StringConstraints(min_length=3, max_length=120)]

# The time zone of French collectivités: the one people read dates in.
PLATFORM_TIMEZONE = "Europe/Paris"

# A half-day of work, the unit of a loan: ``loan.completed`` hours are half-days times this.
HALF_DAY_MINUTES = 210
HALF_DAY_HOURS = HALF_DAY_MINUTES / 60

# An IANA time zone name; the platform uses Europe/Paris.
TimeZoneName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+){0,2}$", max_length=64)
]


class ValueModel(BaseModel):
    """A nested value of an event: frozen and tolerant like the event data itself."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _forbid_unknown_fields_for_producers(cls, data: Any, info: ValidationInfo) -> Any:
        if info.context and info.context.get(FORBID_UNKNOWN_FIELDS) and isinstance(data, dict):
            unknown = sorted(set(data) - set(cls.model_fields))
            if unknown:
                raise PydanticCustomError(
                    "extra_forbidden",
                    "Unknown fields in {model}: {fields}",
                    {"model": cls.__name__, "fields": ", ".join(unknown)},
                )
        return data


class Period(ValueModel):
    """An inclusive range of dates."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("period end is before its start")
        return self


class HalfDay(ValueModel):
    """A dated half-day, the unit of a loan."""

    day: date
    part: HalfDayPart


class WeekdayHalfDay(ValueModel):
    """A recurring half-day of the week (ISO weekday: 1 = Monday … 7 = Sunday)."""

    weekday: int = Field(ge=1, le=7)
    part: HalfDayPart


class CollectiviteRef(ValueModel):
    """A collectivité: its SIREN, plus its INSEE code and EPCI when it is a commune."""

    siren: Siren
    insee_code: InseeCode | None = None
    epci_siren: Siren | None = None
