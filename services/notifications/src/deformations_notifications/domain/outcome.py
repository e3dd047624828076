"""How a delivery attempt ended, and how a status code maps to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    DELIVERED = "delivered"
    TRANSIENT = "transient"  # try again later
    PERMANENT = "permanent"  # trying again would not help


@dataclass(frozen=True, slots=True)
class AttemptResult:
    outcome: Outcome
    detail: str = ""
    status: int | None = None


def classify_http_status(status: int) -> Outcome:
    """2xx delivered; 408 and 429 are the receiver asking us to come back; other 4xx are final."""
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status in (408, 429) or status >= 500:
        return Outcome.TRANSIENT
    return Outcome.PERMANENT


def classify_smtp_code(code: int) -> Outcome:
    """RFC 5321: 2yz accepted, 4yz transient negative, 5yz permanent negative."""
    if 200 <= code < 400:
        return Outcome.DELIVERED
    if 400 <= code < 500:
        return Outcome.TRANSIENT
    return Outcome.PERMANENT


_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def without_addresses(detail: str) -> str:
    """A server's reply often quotes the address it refused: keep it out of stored errors,
    which operators read, since contact details are shown to nobody."""
    return _ADDRESS.sub("[adresse]", detail)
