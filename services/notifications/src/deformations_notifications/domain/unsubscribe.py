"""One-click unsubscribe tokens (RFC 8058 links): who, from what, and since when.

A token carries the second it was issued at. It lapses after a lifetime (the service's
``UNSUBSCRIBE_TOKEN_DAYS``, a year by default: a link must keep working in the old mails
people keep, yet a leaked one must not work forever), and it is revoked when the
recipient's links are renewed (``links_from``: set when contact details are registered
anew, e.g. after an erasure, when the address changes, or on request): every token issued
before then is refused. A per-recipient date rather than key rotation: one person's links
go without breaking everyone's, and it needs no key list to keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from . import tokens
from .preferences import RecipientPreferences

PURPOSE = "unsubscribe/v2"
# The first tokens had no issue time: still recognised, so their page can say they lapsed.
_PURPOSE_V1 = "unsubscribe/v1"
ALL = "all"
_BEFORE_EXPIRY = datetime(1970, 1, 1, tzinfo=UTC)  # the issue time v1 tokens are given


@dataclass(frozen=True, slots=True)
class UnsubscribeClaim:
    person_id: str
    scope: str = ALL  # "all", or one event family such as "match" for a finer opt-out
    issued_at: datetime = field(kw_only=True)


class TokenStanding(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def make_unsubscribe_token(claim: UnsubscribeClaim, secret: bytes) -> str:
    if "\n" in claim.person_id or "\n" in claim.scope:
        raise ValueError("newlines are not allowed in a claim")
    issued = int(claim.issued_at.timestamp())
    return tokens.sign(PURPOSE, f"{claim.person_id}\n{claim.scope}\n{issued}", secret)


def verify_unsubscribe_token(token: str, secret: bytes) -> UnsubscribeClaim | None:
    """The claim of a genuine token (expired or revoked ones too: see ``standing``)."""
    payload = tokens.verify(PURPOSE, token, secret)
    if payload is None:
        old = tokens.verify(_PURPOSE_V1, token, secret)
        person_id, sep, scope = (old or "").partition("\n")
        if not (sep and person_id and scope):
            return None
        return UnsubscribeClaim(person_id, scope, issued_at=_BEFORE_EXPIRY)
    person_id, scope, issued = [*payload.split("\n"), "", "", ""][:3]
    if not person_id or not scope or not issued.isdigit():
        return None
    return UnsubscribeClaim(
        person_id=person_id, scope=scope, issued_at=datetime.fromtimestamp(int(issued), UTC)
    )


def standing(
    claim: UnsubscribeClaim, now: datetime, lifetime: timedelta, links_from: datetime | None
) -> TokenStanding:
    """Whether a genuine token still acts. Compared in whole seconds, as tokens carry them."""
    if claim.issued_at + lifetime <= now:
        return TokenStanding.EXPIRED
    if links_from is not None and claim.issued_at < links_from.replace(microsecond=0):
        return TokenStanding.REVOKED
    return TokenStanding.VALID


def apply_unsubscribe(
    preferences: RecipientPreferences, claim: UnsubscribeClaim, now: datetime
) -> RecipientPreferences:
    """What a one-click POST does. Idempotent: mail clients may POST more than once."""
    if claim.person_id != preferences.person_id:
        raise ValueError("this token belongs to someone else")
    if claim.scope == ALL:
        return preferences.unsubscribe(now)
    return preferences.mute(claim.scope)
