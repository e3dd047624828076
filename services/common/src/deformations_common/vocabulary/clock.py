"""The time a service reads: the system clock when deployed, a hand-moved one in tests.

Every use case takes the time from its unit of work's clock, never from
``datetime.now``; a test moves a :class:`ManualClock`, a deployed service cannot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def __call__(self) -> datetime: ...


def system_clock() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the clock's time must carry a time zone")
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the clock's time must carry a time zone")
        self.now = now


class FixedClock:
    """One instant, for one unit of work (e.g. a demo's dated request outside production)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the clock's time must carry a time zone")
        self._at = at

    def __call__(self) -> datetime:
        return self._at
