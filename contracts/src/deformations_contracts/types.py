"""Identifier and value types shared by the event models."""

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, StringConstraints

# SIREN of a collectivité (9 digits). Every collectivité is identified by it.
Siren = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]

# INSEE code of a commune (5 characters, Corsica uses 2A/2B).
InseeCode = Annotated[str, StringConstraints(pattern=r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$")]

# Pseudonymous identifier of a person (the `sub` of their token); never a name or address.
PersonId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^@\s]+$")]

# A timestamp that always carries its time zone.
Instant = AwareDatetime


class HalfDayPart(StrEnum):
    MORNING = "am"
    AFTERNOON = "pm"


class Modality(StrEnum):
    ON_SITE = "on_site"
    REMOTE = "remote"
    EITHER = "either"


class TimeSlot(StrEnum):
    """When an élu can train ("horaires décalés")."""

    EARLY_MORNING = "early_morning"
    MORNING = "morning"
    LUNCH = "lunch"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    WEEKEND = "weekend"
