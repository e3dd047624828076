"""Who may publish each event type: a consumer never handles an event from anyone else.

The contracts declare who publishes each event (``EventData.producers()``): the portal
alone asks for an erasure, sessions come from lending, matching and training. An event type
the platform does not catalogue (a test's own, say) keeps its model's declared producers.
The broker enforces the same table on the publishing side through topic permissions
(``scripts/gen_deploy.py``): this check is the consumer's own.
"""

from collections.abc import Mapping
from types import MappingProxyType

from deformations_contracts.base import EventData
from deformations_contracts.registry import EVENTS

UNAUTHORIZED_PRODUCER = "unauthorized-producer"

DECLARED_PRODUCERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {key: frozenset(model.producers()) for key, model in EVENTS.items()}
)


def producers_of(model: type[EventData]) -> frozenset[str]:
    """The ``ce-source`` values a consumer accepts for events of ``model``."""
    declared = DECLARED_PRODUCERS.get(model.routing_key)
    return declared if declared is not None else frozenset(model.producers())


def produced_by(service: str) -> tuple[str, ...]:
    """The catalogued routing keys ``service`` may publish, sorted."""
    return tuple(sorted(key for key, who in DECLARED_PRODUCERS.items() if service in who))


def may_publish(source: str, model: type[EventData]) -> bool:
    return source in producers_of(model)
