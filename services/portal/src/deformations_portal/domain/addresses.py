"""Addresses for notifications: one the person gave is used once she proves she reads it.

An address she signs in with is proven already (the e-mail link went there, or the
identity provider vouches for it); any other gets a link mailed to it, valid 24 hours,
once. Until then her notifications go to her sign-in address, or wait when she has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from deformations_portal.domain.errors import (
    AddressCheckExpired,
    AddressCheckInvalid,
    AddressCheckUsed,
)

CHECK_LIFETIME = timedelta(hours=24)
# The form mails any address it is given: a person may ask this many checks an hour.
CHECKS_PER_HOUR = 5


@dataclass(frozen=True, slots=True)
class StoredCheck:
    person_id: UUID
    email: str
    preferences: dict[str, Any]
    expires_at: datetime
    used_at: datetime | None


def proven(address: str, sign_in_addresses: Iterable[str]) -> bool:
    """Whether ``address`` (normalised) is one she signs in with."""
    return address in {a.strip().lower() for a in sign_in_addresses}


def check_usable(check: StoredCheck | None, person_id: UUID, now: datetime) -> StoredCheck:
    """The check, if this person may complete it now."""
    if check is None or check.person_id != person_id:
        # Someone else's link proves nothing about this person's mailbox.
        raise AddressCheckInvalid(
            "Ce lien de vérification n'est pas valable pour votre compte : vérifiez que vous "
            "êtes connecté avec le bon compte, ou enregistrez l'adresse à nouveau."
        )
    if check.used_at is not None:
        raise AddressCheckUsed("Cette adresse est déjà vérifiée : ce lien a déjà servi.")
    if now >= check.expires_at:
        raise AddressCheckExpired(
            "Ce lien de vérification a expiré (il est valable 24 heures) : enregistrez "
            "l'adresse à nouveau dans vos préférences pour en recevoir un autre."
        )
    return check
