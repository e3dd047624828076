import sys
from pathlib import Path

import pytest

# Lets the tests import the in-memory unit of work (pytest runs with importlib mode).
sys.path.insert(0, str(Path(__file__).parent))

from lending_factories import NOW
from lending_fakes import FakeUnitOfWork

from deformations_common.vocabulary.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def uow(clock: ManualClock) -> FakeUnitOfWork:
    return FakeUnitOfWork(clock)
