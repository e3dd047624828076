"""The people of a meeting as the portal knows them: names and members to invite.

Matching only knows person ids; the portal, which holds identities and memberships,
names those matching already shows (never by their address) and lists whom an organiser
may invite: the validated members of the collectivités concerned."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from deformations_portal.domain.memberships import Membership
from deformations_portal.service.people import name_of
from deformations_portal.service.uow import PortalUow


async def names_of(
    uow: PortalUow, person_ids: Iterable[str], *, with_address: bool = False
) -> dict[str, str]:
    """Each id's name (see name_of), or "" when none was given: an e-mail address is
    not a name to show to peers. An organiser picking whom to invite among the members
    of their collectivité gets the address instead, as a référent does."""
    named: dict[str, str] = {}
    for raw in dict.fromkeys(person_ids):
        try:
            person_id = uuid.UUID(raw)
        except ValueError:
            named[raw] = ""
            continue
        found = await name_of(uow, person_id)
        if not found and with_address:
            identities = await uow.persons.identities_of(person_id)
            found = next((i.email for i in identities if i.email), "")
        named[raw] = found
    return named


async def members_of(uow: PortalUow, sirens: list[str]) -> list[Membership]:
    """Validated members of these collectivités, each person once (their oldest)."""
    seen: dict[uuid.UUID, Membership] = {}
    for membership in await uow.memberships.validated_in(sirens):
        seen.setdefault(membership.person_id, membership)
    return list(seen.values())
