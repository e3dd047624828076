"""Offres groupées: élus of one territory who register together for one offer.

A group belongs to a territory (an EPCI, by its SIREN): each member enrols for a
collectivité of that territory (the EPCI itself or one of its communes). Each member
pays the offer's price for the number of confirmed members of the group
(``Offer.price_for``); the price is settled when registration closes and re-priced
whenever a member cancels afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from deformations_training.domain.errors import InvalidTrainingInput, InvalidTransition
from deformations_training.domain.offers import Offer

MAX_GROUP = 100


@dataclass(frozen=True, slots=True)
class Group:
    id: UUID
    offer_id: UUID
    territory_siren: str
    organiser_id: str
    created_at: datetime
    settled_at: datetime | None = None
    settled_price_cents: int | None = None


def new_group(
    *,
    group_id: UUID,
    offer: Offer,
    territory_siren: str,
    organiser_id: str,
    members: int,
    now: datetime,
) -> Group:
    if not offer.grouped:
        raise InvalidTransition("Cette formation n'est pas proposée en offre groupée.")
    offer.ensure_open(now)
    if not 1 <= members <= MAX_GROUP:
        raise InvalidTrainingInput(f"Un groupe compte de 1 à {MAX_GROUP} élus.", field="members")
    return Group(group_id, offer.id, territory_siren, organiser_id, now)


def check_member_territory(group: Group, member_territory: str | None) -> None:
    if member_territory != group.territory_siren:
        raise InvalidTrainingInput(
            "Un groupe réunit des élus d'un même territoire (intercommunalité).",
            territory_siren=group.territory_siren,
        )


def settle(group: Group, offer: Offer, confirmed_members: int, now: datetime) -> Group:
    """Registration is closed: the group's price per person is that of its size."""
    if offer.registration_open(now):
        raise InvalidTransition("Les inscriptions sont encore ouvertes : le prix n'est pas arrêté.")
    return replace(group, settled_at=now, settled_price_cents=offer.price_for(confirmed_members))


def reprice(group: Group, offer: Offer, confirmed_members: int) -> Group:
    """A member left: the price of the remaining ones follows the new size."""
    if group.settled_at is None:
        return group
    return replace(group, settled_price_cents=offer.price_for(confirmed_members))
