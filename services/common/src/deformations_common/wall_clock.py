"""A time of day on the wall clock of a place ("08:00"), as request bodies take it.

Pydantic's ``time`` accepts an offset ("08:00+02:00") and then compares with naive times
by raising; JSON Schema's ``time`` format demands one. A wall-clock time is neither an
instant nor offset: the type refuses offsets and documents its shape as a pattern.
"""

from datetime import time
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema


def _without_offset(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("heure locale attendue, sans décalage horaire (ex. 08:00)")
    return value


WallClock = Annotated[
    time,
    AfterValidator(_without_offset),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "Heure locale HH:MM[:SS], sans décalage.",
        }
    ),
]
