import pytest

from deformations_contracts.base import EventData
from deformations_contracts.registry import EVENTS


@pytest.fixture(params=sorted(EVENTS))
def model(request: pytest.FixtureRequest) -> type[EventData]:
    return EVENTS[request.param]
