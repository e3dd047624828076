"""Signed, URL-safe tokens: the shared HMAC machinery (the portal verifies some of them)."""

from deformations_common.signed_tokens import sign, verify

__all__ = ["sign", "verify"]
