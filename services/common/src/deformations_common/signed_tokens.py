"""Signed, URL-safe tokens: HMAC-SHA256 with a caller-given secret, bound to a purpose.

The purpose is part of the MAC so that a token minted for one use (unsubscribing) is
worthless for another (replying through the relay), even with the same secret. Shared by
the services that mint links (notifications) and those that honour them (the portal).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_MAC_BYTES = 16  # 128 bits: short enough for a URL, far beyond guessing


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, payload: bytes, secret: bytes, size: int) -> bytes:
    message = purpose.encode() + b"\x00" + payload
    return hmac.new(secret, message, hashlib.sha256).digest()[:size]


def sign(purpose: str, payload: str, secret: bytes, *, mac_bytes: int = _MAC_BYTES) -> str:
    """``mac_bytes`` below 16 only where length matters (an e-mail local part), never below 10."""
    if not secret:
        raise ValueError("a signing secret is required")
    if not 10 <= mac_bytes <= 32:
        raise ValueError("mac_bytes must be between 10 and 32")
    raw = payload.encode()
    return f"{_b64(raw)}.{_b64(_mac(purpose, raw, secret, mac_bytes))}"


def verify(purpose: str, token: str, secret: bytes, *, mac_bytes: int = _MAC_BYTES) -> str | None:
    """The payload of a genuine token for ``purpose``; None for anything else."""
    if not secret:
        raise ValueError("a signing secret is required")
    payload_part, sep, mac_part = token.partition(".")
    if not sep:
        return None
    try:
        raw = _unb64(payload_part)
        mac = _unb64(mac_part)
        payload = raw.decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(mac, _mac(purpose, raw, secret, mac_bytes)):
        return None
    return payload
