"""Which offers fit an élu: theme, format, dates, distance and « fits my time ».

Distance is administrative, from the COG (same commune, EPCI, département, région),
as matching measures proximity: the platform holds no coordinates. Remote offers are at
no distance. « Fits my time » uses the quiz's availability: the slots an élu can train
in (early morning, lunch, evening, weekend…), the modality, and the time she said she
has each month: every session of an offer must fall in one of the slots, read in Paris
time, and the offer must last no longer than her month's time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum

from deformations_common.vocabulary.french import as_paris
from deformations_contracts.types import Modality, TimeSlot
from deformations_training.domain.offers import Format, Offer


class Proximity(IntEnum):
    """How close an offer's place is to the élu's commune; higher is closer."""

    ELSEWHERE = 0
    SAME_REGION = 1
    SAME_DEPARTEMENT = 2
    SAME_EPCI = 3
    SAME_COMMUNE = 4
    REMOTE = 5  # no travel at all


@dataclass(frozen=True, slots=True)
class Place:
    insee: str
    epci_siren: str | None
    departement: str
    region: str

    def proximity(self, other: Place) -> Proximity:
        if self.insee == other.insee:
            return Proximity.SAME_COMMUNE
        if self.epci_siren is not None and self.epci_siren == other.epci_siren:
            return Proximity.SAME_EPCI
        if self.departement == other.departement:
            return Proximity.SAME_DEPARTEMENT
        if self.region == other.region:
            return Proximity.SAME_REGION
        return Proximity.ELSEWHERE


@dataclass(frozen=True, slots=True)
class Criteria:
    theme: str | None = None
    format: Format | None = None
    from_day: date | None = None
    to_day: date | None = None
    near: Place | None = None
    # The farthest an offer may be from ``near`` (SAME_DEPARTEMENT: in the département).
    within: Proximity = Proximity.ELSEWHERE
    time_slots: frozenset[TimeSlot] = frozenset()
    modality: Modality | None = None
    # The quiz's « temps disponible par mois », in minutes.
    minutes_per_month: int | None = None


@dataclass(frozen=True, slots=True)
class Found:
    offer: Offer
    proximity: Proximity | None


def slot_of(at: datetime) -> TimeSlot:
    """The quiz's time slot a session starting at ``at`` falls in."""
    local = as_paris(at)
    if local.weekday() >= 5:
        return TimeSlot.WEEKEND
    hour = local.hour
    if hour < 9:
        return TimeSlot.EARLY_MORNING
    if hour < 12:
        return TimeSlot.MORNING
    if hour < 14:
        return TimeSlot.LUNCH
    if hour < 18:
        return TimeSlot.AFTERNOON
    return TimeSlot.EVENING


def fits_time(
    offer: Offer,
    slots: frozenset[TimeSlot],
    modality: Modality | None,
    minutes_per_month: int | None = None,
) -> bool:
    if minutes_per_month is not None and offer.duration_minutes > minutes_per_month:
        return False
    if modality is Modality.REMOTE and not offer.remote:
        return False
    if modality is Modality.ON_SITE and offer.remote:
        return False
    if not slots or offer.format is Format.E_LEARNING:
        return True  # e-learning is followed whenever one can
    return all(slot_of(s.starts_at) in slots for s in offer.active_sessions())


def search(
    offers: Sequence[Offer],
    criteria: Criteria,
    place_of: Callable[[str], Place | None],
    now: datetime,
) -> list[Found]:
    """Open offers fitting ``criteria``, closest first, then soonest."""
    found: list[Found] = []
    for offer in offers:
        if not offer.registration_open(now):
            continue
        if criteria.theme and offer.theme != criteria.theme:
            continue
        if criteria.format and offer.format is not criteria.format:
            continue
        starts = offer.starts_at()
        if starts is not None:
            day = as_paris(starts).date()
            if criteria.from_day and day < criteria.from_day:
                continue
            if criteria.to_day and day > criteria.to_day:
                continue
        if not fits_time(offer, criteria.time_slots, criteria.modality, criteria.minutes_per_month):
            continue
        proximity: Proximity | None = None
        if criteria.near is not None:
            if offer.place_insee is None:
                proximity = Proximity.REMOTE
            else:
                place = place_of(offer.place_insee)
                proximity = criteria.near.proximity(place) if place else Proximity.ELSEWHERE
            if proximity < criteria.within:
                continue
        found.append(Found(offer, proximity))

    def order(f: Found) -> tuple[int, datetime]:
        return (-(f.proximity or 0), f.offer.starts_at() or f.offer.published_at)

    return sorted(found, key=order)
