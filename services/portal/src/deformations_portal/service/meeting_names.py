"""How the people a meeting shows are named: the name they gave, never their address.

Matching only knows person ids; the portal, which holds identities, turns those it is
allowed to show (matching already hid the others) into names."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from deformations_portal.service.uow import PortalUow


async def names_of(uow: PortalUow, person_ids: Iterable[str]) -> dict[str, str]:
    """Each id's given and usual name, or "" when none was given: an e-mail address is
    not a name to show to peers."""
    named: dict[str, str] = {}
    for raw in dict.fromkeys(person_ids):
        try:
            person_id = uuid.UUID(raw)
        except ValueError:
            named[raw] = ""
            continue
        found = ""
        for identity in await uow.persons.identities_of(person_id):
            found = " ".join(n for n in (identity.given_name, identity.usual_name) if n)
            if found:
                break
        named[raw] = found
    return named
