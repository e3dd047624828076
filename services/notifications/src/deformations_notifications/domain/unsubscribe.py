"""One-click unsubscribe tokens (RFC 8058 links): who, and from what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import tokens
from .preferences import RecipientPreferences

PURPOSE = "unsubscribe/v1"
ALL = "all"


@dataclass(frozen=True, slots=True)
class UnsubscribeClaim:
    person_id: str
    scope: str = ALL  # "all", or one event family such as "match" for a finer opt-out


def make_unsubscribe_token(claim: UnsubscribeClaim, secret: bytes) -> str:
    if "\n" in claim.person_id or "\n" in claim.scope:
        raise ValueError("newlines are not allowed in a claim")
    return tokens.sign(PURPOSE, f"{claim.person_id}\n{claim.scope}", secret)


def verify_unsubscribe_token(token: str, secret: bytes) -> UnsubscribeClaim | None:
    payload = tokens.verify(PURPOSE, token, secret)
    if payload is None:
        return None
    person_id, sep, scope = payload.partition("\n")
    if not sep or not person_id:
        return None
    return UnsubscribeClaim(person_id=person_id, scope=scope)


def apply_unsubscribe(
    preferences: RecipientPreferences, claim: UnsubscribeClaim, now: datetime
) -> RecipientPreferences:
    """What a one-click POST does. Idempotent: mail clients may POST more than once."""
    if claim.person_id != preferences.person_id:
        raise ValueError("this token belongs to someone else")
    if claim.scope == ALL:
        return preferences.unsubscribe(now)
    return preferences.mute(claim.scope)
