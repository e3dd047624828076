"""Fixtures of the use-case tests: an in-memory store, a clock the test moves, a unit of work."""

from datetime import UTC, datetime

import pytest

from deformations_common.vocabulary.clock import ManualClock

from .fakes import FakeUow, Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def uow(store: Store, clock: ManualClock) -> FakeUow:
    return FakeUow(store, clock)
