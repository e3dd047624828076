"""One-click unsubscribe tokens (RFC 8058 links): who, and from what."""

from __future__ import annotations

from dataclasses import dataclass

from . import tokens

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
