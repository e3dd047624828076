"""The calendar life of a session: one UID for good, a SEQUENCE raised by every change.

RFC 5546: an organizer's revision of an event (new time, cancellation) carries a
higher SEQUENCE so calendar clients replace the copy they hold instead of adding one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SessionCalendar:
    session_id: str
    start: datetime
    end: datetime
    sequence: int = 0
    cancelled: bool = False

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("session times must carry a time zone")
        if self.end <= self.start:
            raise ValueError("a session ends after it starts")

    def reschedule(self, start: datetime, end: datetime) -> SessionCalendar:
        if self.cancelled:
            raise ValueError("a cancelled session cannot be rescheduled")
        if (start, end) == (self.start, self.end):
            return self  # a redelivered event changes nothing
        return replace(self, start=start, end=end, sequence=self.sequence + 1)

    def cancel(self) -> SessionCalendar:
        if self.cancelled:
            return self
        return replace(self, cancelled=True, sequence=self.sequence + 1)
