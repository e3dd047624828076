"""Exactly one notification per (event, recipient, channel), whatever the redeliveries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from .preferences import Channel


@dataclass(frozen=True, slots=True)
class DedupKey:
    """``(ce-source, ce-id)`` names an event; with recipient and channel, a notification."""

    event_source: str
    event_id: str
    recipient: str
    channel: Channel

    @property
    def value(self) -> str:
        """A fixed-length digest, safe as a unique column and free of personal data."""
        raw = "\x1f".join((self.event_source, self.event_id, self.recipient, self.channel.value))
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def seed(self) -> int:
        """A stable seed for this notification's retry jitter."""
        return int(self.value[:16], 16)


class HasDedupKey(Protocol):
    @property
    def dedup_key(self) -> DedupKey: ...


T = TypeVar("T", bound=HasDedupKey)


def first_per_key(items: Iterable[T], already_seen: Iterable[DedupKey] = ()) -> Iterator[T]:
    """Yield the first item of each key not in ``already_seen``; later duplicates are dropped."""
    seen = set(already_seen)
    for item in items:
        if item.dedup_key not in seen:
            seen.add(item.dedup_key)
            yield item
