"""The demo's people, one id each for every service and the portal.

The services' demos name people (``demo-rh-crest``…); the portal knows them as persons
(UUIDs). Each name maps to the same stable UUID, so the person who signs in to the portal
as the RH of Crest sees the loans the lending demo made as her. Each demo Région has its
own people (``deformations_devtools.places``): two Régions played on one database never
share a person."""

from __future__ import annotations

import uuid

from deformations_devtools.places import DEMO_PLACES

_NAMESPACE = uuid.UUID("5f1d2c3a-7b4e-4c1d-9a8e-2f6b0c9d1e70")


def _aliases() -> dict[str, str]:
    """Name used by the demos → the one person it is: ``rh-crest``, ``demo-rh-crest`` and
    ``rh-crest-demo`` are the RH of Crest; diagnosis's trainer is the formatrice."""
    aliases: dict[str, str] = {}
    for places in DEMO_PLACES.values():
        for name in places.people.names():
            aliases.update({name: name, f"demo-{name}": name, f"{name}-demo": name})
        aliases[places.diagnosis.trainer] = places.people.formatrice
    return aliases


_ALIASES = _aliases()


def person_id(who: str) -> uuid.UUID:
    """The UUID of a demo person, by one of its names (``rh-crest`` or ``demo-rh-crest``)."""
    return uuid.uuid5(_NAMESPACE, _ALIASES.get(who, who))


def subject(name: str) -> str:
    """The ``sub`` a demo acts as: the person's UUID for the demo people, else the name."""
    return str(person_id(name)) if name in _ALIASES else name
