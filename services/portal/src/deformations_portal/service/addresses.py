"""Addresses for notifications: used once proven (see domain/addresses.py).

The portal is the only caller of notifications' ``/v1/me/recipient`` (it alone mints the
tokens), so the address it registers there is always a proven one; its token says so
(claims ``email`` and ``email_verified``), and notifications registers no other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from deformations_portal.domain import addresses, links
from deformations_portal.domain.errors import TooManyRequests
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow


@dataclass(frozen=True)
class Decision:
    """Where notifications go now, and the link to mail when the address needs a check."""

    # The address to register now: the given one if proven, else her sign-in address;
    # None: nothing can be registered yet, her notifications wait.
    use_now: str | None
    check: CheckToSend | None


@dataclass(frozen=True)
class CheckToSend:
    email: str
    secret: str


async def choose(
    uow: PortalUow,
    person_id: uuid.UUID,
    email: str,
    preferences: dict[str, Any],
    registered: str | None,
) -> Decision:
    """The person gives ``email`` for her notifications (``registered``: the address
    notifications has for her now, proven when it was registered)."""
    address = links.normalise_email(email)
    sign_in = await people.proven_emails_of(uow, person_id)
    if address == registered or addresses.proven(address, sign_in):
        return Decision(address, None)
    now = uow.now()
    recent = await uow.signin.recent_address_checks(person_id, now - links.WINDOW)
    if links.over_limit(recent, addresses.CHECKS_PER_HOUR):
        raise TooManyRequests(
            "Trop de demandes de vérification d'adresse : réessayez dans une heure."
        )
    secret = links.new_secret()
    await uow.signin.add_address_check(
        links.keyed_hash(uow.settings.hmac_key(), f"address:{secret}"),
        person_id,
        address,
        preferences,
        now,
        now + addresses.CHECK_LIFETIME,
    )
    fallback = registered or (sign_in[0] if sign_in else None)
    return Decision(fallback, CheckToSend(address, secret))


async def confirm(uow: PortalUow, person_id: uuid.UUID, secret: str) -> addresses.StoredCheck:
    """The link opened by the person it was made for: the address is proven (once)."""
    token_hash = links.keyed_hash(uow.settings.hmac_key(), f"address:{secret}")
    check = addresses.check_usable(await uow.signin.address_check(token_hash), person_id, uow.now())
    await uow.signin.use_address_check(token_hash, uow.now())
    return check
