"""Needs, offers and the standing of the collectivités behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

from deformations_contracts.types import Modality
from deformations_matching.domain.places import Place


@dataclass(frozen=True, slots=True)
class Availability:
    """When and how someone can take part.

    ``slots`` are opaque keys compared by equality: weekday half-days
    (``"tue_am"``) for loans, ``TimeSlot`` values for élus. An empty set means
    "no constraint given".
    """

    slots: frozenset[str] = frozenset()
    modality: Modality = Modality.EITHER

    def modality_compatible(self, other: Availability) -> bool:
        return modalities_compatible(self.modality, other.modality)


def modalities_compatible(a: Modality, b: Modality) -> bool:
    return a == b or Modality.EITHER in (a, b)


@dataclass(frozen=True, slots=True)
class SkillOffer:
    """A collectivité lends a skill ("je prête un technicien alimentation")."""

    offer_id: str
    lender_siren: str
    place: Place
    themes: frozenset[str]
    description: str
    capacity_half_days: int
    availability: Availability = field(default_factory=Availability)


@dataclass(frozen=True, slots=True)
class SkillRequest:
    """A collectivité needs a skill for some half-days."""

    request_id: str
    requester_siren: str
    place: Place
    themes: frozenset[str]
    description: str
    half_days: int = 1
    availability: Availability = field(default_factory=Availability)


@dataclass(frozen=True, slots=True)
class Standing:
    """What the hours ledger and past feedback say about a collectivité."""

    hours_lent: float = 0.0
    hours_received: float = 0.0
    feedback_sum: float = 0.0  # sum of ratings on a 1..5 scale
    feedback_count: int = 0

    @property
    def balance_hours(self) -> float:
        return self.hours_lent - self.hours_received


NEUTRAL_STANDING = Standing()


_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def half_day_key(weekday: int, part: str) -> str:
    """``tue_am`` for Tuesday morning (ISO weekday 2): the slot key of a loan's half-day."""
    return f"{_WEEKDAY_KEYS[weekday - 1]}_{part}"
