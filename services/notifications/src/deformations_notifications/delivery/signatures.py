"""Webhook signatures after the Standard Webhooks specification (standardwebhooks.com).

Chosen over a home-made ``t=...,v1=...`` header because receivers can verify with the
spec's ready-made libraries in many languages, the signed content binds the message id
(``webhook-id``, which receivers also use to drop duplicates) and the timestamp (replay
protection), and several signatures may be sent at once while a secret is rotated.

Signed content: ``{webhook-id}.{webhook-timestamp}.{body}``, HMAC-SHA256, base64, sent as
``webhook-signature: v1,<signature>``. Secrets are ``whsec_`` followed by base64 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's marker, not a secret
DEFAULT_TOLERANCE_SECONDS = 300


class InvalidSignatureError(ValueError):
    pass


def make_secret(random_bytes: bytes) -> str:
    """A secret from at least 24 bytes the caller drew from ``secrets.token_bytes``."""
    if len(random_bytes) < 24:
        raise ValueError("a webhook secret needs at least 24 random bytes")
    return SECRET_PREFIX + base64.b64encode(random_bytes).decode("ascii")


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError as error:
        raise ValueError("a webhook secret is whsec_ followed by base64") from error


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }


def verify(
    secrets: str | Iterable[str],
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> str:
    """Check a received webhook; returns its ``webhook-id`` or raises InvalidSignatureError.

    ``headers`` must be looked up case-insensitively (HTTP header names are); pass
    several secrets while rotating one. ``now`` is the receiver's clock in Unix seconds.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        received = lowered["webhook-signature"].split()
    except (KeyError, ValueError) as error:
        raise InvalidSignatureError("missing or malformed webhook headers") from error
    if abs(now - timestamp) > tolerance:
        raise InvalidSignatureError("timestamp outside the tolerance window")
    candidates = [secrets] if isinstance(secrets, str) else list(secrets)
    for secret in candidates:
        expected = sign(secret, message_id, timestamp, body)
        if any(hmac.compare_digest(expected, sig) for sig in received):
            return message_id
    raise InvalidSignatureError("no valid signature")
