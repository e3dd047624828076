"""The demo's people, one id each for every service and the portal.

The services' demos name people (``demo-rh-crest``…); the portal knows them as persons
(UUIDs). Each name maps to the same stable UUID, so the person who signs in to the portal
as the RH of Crest sees the loans the lending demo made as her."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("5f1d2c3a-7b4e-4c1d-9a8e-2f6b0c9d1e70")

# Name used by the demos → the one person it is (aliases of the same person included).
_ALIASES = {
    "demo-elue-crest": "elue-crest",
    "demo-elu-aouste": "elu-aouste",
    "demo-rh-crest": "rh-crest",
    "rh-crest-demo": "rh-crest",
    "demo-agent-crest": "agent-crest",
    "demo-formatrice": "formatrice",
    "formatrice-demo": "formatrice",
    "demo-formatrice-clunisois": "formatrice",
    "demo-operateur": "operateur",
    "operateur-demo": "operateur",
}


def person_id(who: str) -> uuid.UUID:
    """The UUID of a demo person, by one of its names (``rh-crest`` or ``demo-rh-crest``)."""
    return uuid.uuid5(_NAMESPACE, _ALIASES.get(who, who))


def subject(name: str) -> str:
    """The ``sub`` a demo acts as: the person's UUID for the demo people, else the name."""
    return str(person_id(name)) if name in _ALIASES else name
