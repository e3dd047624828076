"""An address is registered only once proven to be the person's.

Whoever holds a token could otherwise point notifications, with their names and links,
at anyone's mailbox. The token's issuer (the portal) says which address the person
proved she reads: the one of her e-mail link, the one her identity provider verified,
or one she confirmed by a link mailed to it. Only that one may be registered.
"""

from __future__ import annotations

from deformations_notifications.domain.errors import AddressNotProven


def same_address(first: str, second: str) -> bool:
    # Case aside: providers and people type addresses in any case, mailboxes ignore it.
    return first.strip().casefold() == second.strip().casefold()


def require_proven(address: str, vouched: str | None, verified: bool) -> None:
    """Refuse ``address`` unless the token vouches for exactly it, as verified."""
    if not verified or vouched is None or not same_address(address, vouched):
        raise AddressNotProven()
