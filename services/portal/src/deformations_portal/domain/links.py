"""Sign-in links: a random secret mailed once, only its keyed hash kept, 15 minutes, once.

Also the shape of an e-mail address we accept and the rate limits on asking for links.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from deformations_portal.domain.errors import InvalidEmail, LinkExpired, LinkUsed

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_email(value: str) -> str:
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise InvalidEmail("Saisissez une adresse électronique valide, par exemple nom@mairie.fr.")
    return email


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def keyed_hash(key: bytes, secret: str) -> str:
    """What is stored in place of a secret: a stolen table gives no usable link."""
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredLink:
    email: str
    expires_at: datetime
    used_at: datetime | None


def check_usable(link: StoredLink, now: datetime) -> None:
    if link.used_at is not None:
        raise LinkUsed(
            "Ce lien de connexion a déjà servi : chaque lien ne marche qu'une fois. "
            "Demandez-en un nouveau."
        )
    if now >= link.expires_at:
        raise LinkExpired(
            "Ce lien de connexion a expiré (il est valable 15 minutes). Demandez-en un nouveau."
        )


def over_limit(recent: int, limit: int) -> bool:
    return recent >= limit


WINDOW = timedelta(hours=1)
