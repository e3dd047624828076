"""Half-days, the unit of a loan, and the periods they fall in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from deformations_common.vocabulary.french import MONTHS, PARIS, WEEKDAYS
from deformations_contracts.types import HalfDayPart

from .errors import InvalidInputError

# Collectivités work on French local time (``PARIS``); a half-day starts at these hours.
_STARTS = {HalfDayPart.MORNING: time(9, 0), HalfDayPart.AFTERNOON: time(14, 0)}

PART_LABELS = {HalfDayPart.MORNING: "matin", HalfDayPart.AFTERNOON: "après-midi"}


@dataclass(frozen=True, order=True, slots=True)
class HalfDay:
    """One dated half-day: the day and its morning or afternoon."""

    day: date
    part: HalfDayPart

    def starts_at(self) -> datetime:
        return datetime.combine(self.day, _STARTS[self.part], tzinfo=PARIS)

    def weekly(self) -> WeeklyHalfDay:
        return WeeklyHalfDay(self.day.weekday(), self.part)

    def label(self) -> str:
        """French label, e.g. « mardi 3 mars 2026, matin »."""
        d = self.day
        return (
            f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}, "
            f"{PART_LABELS[self.part]}"
        )


@dataclass(frozen=True, order=True, slots=True)
class WeeklyHalfDay:
    """A recurring half-day when an offered agent can come: weekday (0 = Monday) and part."""

    weekday: int
    part: HalfDayPart

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise InvalidInputError("Le jour de la semaine doit être compris entre 0 (lundi) et 6.")

    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {PART_LABELS[self.part]}"

    def code(self) -> str:
        """Storage form, e.g. ``"1:pm"`` (the SQL schema checks this shape)."""
        return f"{self.weekday}:{self.part.value}"

    @classmethod
    def parse(cls, code: str) -> WeeklyHalfDay:
        weekday, sep, part = code.partition(":")
        if not sep or not weekday.isdigit() or part not in {p.value for p in HalfDayPart}:
            raise InvalidInputError(f"Demi-journée hebdomadaire invalide : {code!r}.")
        return cls(int(weekday), HalfDayPart(part))


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInputError("La fin de la période précède son début.")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def includes(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        return f"du {_day_label(self.start)} au {_day_label(self.end)}"


def _day_label(d: date) -> str:
    first = "1er" if d.day == 1 else str(d.day)
    return f"{first} {MONTHS[d.month - 1]} {d.year}"


def day_label(d: date) -> str:
    return _day_label(d)


def half_days_label(count: int) -> str:
    """« 1 demi-journée », « 3 demi-journées »."""
    return f"{count} demi-journée" + ("s" if count > 1 else "")
