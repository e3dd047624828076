"""Whom an organiser may invite to a café or a speed-dating evening of a collectivité.

Only validated members, as the portal publishes them (``membership.changed.v1``): of the
collectivité itself, or for an EPCI, of the EPCI or one of its communes. A diagnosis taken
in a commune, or an earlier café there, is no membership: it does not count.
"""

from collections.abc import Sequence

from deformations_common.geography import Geography
from deformations_matching.domain.errors import NotInvitable
from deformations_matching.service.uow import MatchingUow


def sirens_of(geography: Geography, siren: str) -> set[str]:
    """The collectivité and, for an EPCI, the SIREN of each of its communes."""
    if siren not in geography.epcis:
        return {siren}
    communes = (geography.find_commune(insee) for insee in geography.members(siren))
    return {siren} | {c.siren for c in communes if c is not None and c.siren}


async def members_among(uow: MatchingUow, siren: str, people: Sequence[str]) -> set[str]:
    return await uow.memberships.validated_members(sirens_of(uow.geography, siren), people)


async def refuse_strangers(uow: MatchingUow, siren: str, people: Sequence[str]) -> None:
    """Refuse (403, nothing changed) anyone who is not a validated member there."""
    strangers = sorted(set(people) - await members_among(uow, siren, people))
    if strangers:
        raise NotInvitable(
            "Ces personnes ne sont pas membres validés de la collectivité : "
            + ", ".join(strangers),
            participants=strangers,
        )
