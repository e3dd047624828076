"""Digests: the pending notifications of one recipient, grouped per item, newest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One notification waiting for a digest.

    ``item_key`` names the thing it is about (a loan, a session, a match) so that several
    events about one loan read as one story in the digest.
    """

    item_key: str
    item_title: str
    event_type: str
    occurred_at: datetime
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DigestGroup:
    item_key: str
    item_title: str
    entries: tuple[DigestEntry, ...]

    @property
    def latest(self) -> datetime:
        return self.entries[0].occurred_at


def group_digest(entries: Iterable[DigestEntry]) -> list[DigestGroup]:
    """Group per item; entries newest first in a group, groups by their newest entry.

    Ties are broken by item key and event type so the same input always reads the same.
    """
    by_item: dict[str, list[DigestEntry]] = {}
    for entry in entries:
        by_item.setdefault(entry.item_key, []).append(entry)
    groups = []
    for key, items in by_item.items():
        items.sort(key=lambda e: (e.occurred_at, e.event_type), reverse=True)
        groups.append(
            DigestGroup(item_key=key, item_title=items[0].item_title, entries=tuple(items))
        )
    groups.sort(key=lambda g: g.item_key)
    groups.sort(key=lambda g: g.latest, reverse=True)
    return groups
