"""The platform's time zone and French wording of dates, times and durations.

No system locale is used: the wording is the same on every machine.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from deformations_contracts.values import PLATFORM_TIMEZONE

PARIS = ZoneInfo(PLATFORM_TIMEZONE)

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def as_paris(value: datetime | str) -> datetime:
    """Events carry ISO 8601 strings; people read Paris wall-clock time."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError("a time shown to people must carry a time zone")
    return moment.astimezone(PARIS)


def day_fr(day: date) -> str:
    """``mardi 1er décembre 2026``."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{WEEKDAYS[day.weekday()]} {number} {MONTHS[day.month - 1]} {day.year}"


def date_fr(value: datetime | str) -> str:
    """``mardi 1er décembre 2026``, in Paris time."""
    return day_fr(as_paris(value).date())


def time_fr(value: datetime | str) -> str:
    """``9 h``, ``14 h 30`` (French typography: a space on each side of h)."""
    local = as_paris(value)
    return f"{local.hour} h" if local.minute == 0 else f"{local.hour} h {local.minute:02d}"


def datetime_fr(value: datetime | str) -> str:
    """``le mardi 1er décembre 2026 à 14 h 30``."""
    return f"le {date_fr(value)} à {time_fr(value)}"


def hours_fr(hours: float) -> str:
    """``1 heure``, ``7 heures``, ``3 h 30``."""
    total_minutes = round(hours * 60)
    whole, minutes = divmod(total_minutes, 60)
    if minutes:
        return f"{whole} h {minutes:02d}"
    return f"{whole} heure" if whole <= 1 else f"{whole} heures"
