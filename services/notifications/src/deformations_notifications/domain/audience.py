"""Who is concerned by an event: people named in it, people of the collectivités and teams in it.

Events carry identifiers only (person ids, SIRENs, team ids), never contact details. The
person ids are taken as they are; a SIREN stands for the people this service knows for that
collectivité (its élus and HR contacts who registered), a team id for its members. Both
come from the service's read models through ``Directory``.

The field names below are the ones the event contracts use for these identifiers; an
event type may use any of them, in any nesting of lists and objects one level deep
(``participants: [{"person_id": ...}]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

PERSON_FIELDS = (
    "person_id",
    "person_ids",
    "participants",
    "members",
    "agent_id",
    "requester_person_id",
    "lender_person_id",
)
SIREN_FIELDS = ("siren", "sirens", "lender_siren", "borrower_siren", "offer_siren", "request_siren")
TEAM_FIELDS = ("team_id",)


class Directory(Protocol):
    def people_of(self, siren: str) -> Iterable[str]: ...

    def members_of(self, team_id: str) -> Iterable[str]: ...


def _values(data: Mapping[str, Any], fields: tuple[str, ...], inner: str) -> Iterator[str]:
    for name in fields:
        value = data.get(name)
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, str) and item:
                yield item
            elif isinstance(item, Mapping) and isinstance(item.get(inner), str):
                yield item[inner]


def concerned(data: Mapping[str, Any], directory: Directory) -> set[str]:
    """Person ids to notify about an event with this data."""
    people = set(_values(data, PERSON_FIELDS, "person_id"))
    for siren in _values(data, SIREN_FIELDS, "siren"):
        people.update(directory.people_of(siren))
    for team in _values(data, TEAM_FIELDS, "team_id"):
        people.update(directory.members_of(team))
    return people
