"""Whom an organiser may invite to a café or a speed-dating evening of a collectivité.

HOOK: the portal's ``membership.changed.v1`` (validated members of a commune or EPCI) does
not reach matching yet. Until it does, a person may be invited for a collectivité only when
matching's own read model ties them to it: their latest diagnosis was taken in one of its
communes, or they already took part in a café of that collectivité. When memberships
arrive, replace :func:`tied_to` with a read of them; callers stay as they are.
"""

from collections.abc import Sequence

from deformations_common.geography import Geography
from deformations_common.geography.loader import UnknownCollectiviteError
from deformations_matching.domain.errors import NotInvitable
from deformations_matching.service.uow import MatchingUow


def communes_of(geography: Geography, siren: str) -> set[str]:
    """INSEE codes of a commune (by its SIREN) or of the communes of an EPCI."""
    if siren in geography.epcis:
        return set(geography.members(siren))
    try:
        return {geography.commune_by_siren(siren).insee}
    except UnknownCollectiviteError:
        return set()


async def tied_to(uow: MatchingUow, siren: str, people: Sequence[str]) -> set[str]:
    communes = communes_of(uow.geography, siren)
    diagnosed = await uow.diagnoses.latest_diagnoses(list(people))
    tied = {p for p, row in diagnosed.items() if row.commune_insee in communes}
    return tied | (await uow.plans.cafe_people(siren) & set(people))


async def refuse_strangers(uow: MatchingUow, siren: str, people: Sequence[str]) -> None:
    """Refuse (403, nothing changed) any participant the collectivité does not know."""
    strangers = sorted(set(people) - await tied_to(uow, siren, people))
    if strangers:
        raise NotInvitable(
            "Ces personnes ne sont pas connues comme membres de la collectivité : "
            + ", ".join(strangers),
            participants=strangers,
        )
