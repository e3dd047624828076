"""A fake unit of work per test, on a hand-moved clock: use cases run without servers."""

from __future__ import annotations

from datetime import datetime

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_common.vocabulary.french import PARIS
from deformations_notifications.settings import NotificationsSettings

from .fakes import FakeUow

# Thursday 26 November 2026, 10:00 in Paris: outside the default quiet hours.
MORNING = datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MORNING)


@pytest.fixture
def uow(clock: ManualClock) -> FakeUow:
    return FakeUow(NotificationsSettings(relay_messages_per_hour=3), clock)
