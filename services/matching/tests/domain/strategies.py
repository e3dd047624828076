"""Hypothesis strategies over a slice of the real geography."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from deformations_common.geography import load_geography
from deformations_contracts.types import Modality, TimeSlot
from deformations_matching.domain.model import Availability, SkillOffer, SkillRequest
from deformations_matching.domain.places import Place, place_of

THEMES = ("alimentation", "energie", "eau")
HALF_DAYS = ("mon_am", "mon_pm", "tue_am", "thu_pm", "fri_am")
WORDS = ("cantine", "bio", "chaufferie", "bois", "éclairage", "public", "eau", "pluie", "haies")


@cache
def places() -> tuple[Place, ...]:
    """Communes of three départements (two share a région), several EPCI each."""
    geography = load_geography()
    chosen = [c for c in sorted(geography.communes) if c.startswith(("01", "29", "69"))][::40]
    return tuple(place_of(geography, insee) for insee in chosen)


availabilities = st.builds(
    Availability,
    st.frozensets(st.sampled_from(HALF_DAYS), max_size=3),
    st.sampled_from(list(Modality)),
)
descriptions = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
sirens = st.integers(0, 6).map(lambda n: f"21000000{n}")


@st.composite
def offers(draw: st.DrawFn, number: int) -> SkillOffer:
    return SkillOffer(
        offer_id=f"o{number:03d}",
        lender_siren=draw(sirens),
        place=draw(st.sampled_from(places())),
        themes=draw(st.frozensets(st.sampled_from(THEMES), min_size=1, max_size=2)),
        description=draw(descriptions),
        capacity_half_days=draw(st.integers(1, 4)),
        availability=draw(availabilities),
    )


@st.composite
def requests(draw: st.DrawFn, number: int) -> SkillRequest:
    return SkillRequest(
        request_id=f"r{number:03d}",
        requester_siren=draw(sirens),
        place=draw(st.sampled_from(places())),
        themes=draw(st.frozensets(st.sampled_from(THEMES), min_size=1, max_size=2)),
        description=draw(descriptions),
        half_days=draw(st.integers(1, 3)),
        availability=draw(availabilities),
    )


@st.composite
def worlds(
    draw: st.DrawFn, max_offers: int = 25, max_requests: int = 15
) -> tuple[list[SkillOffer], list[SkillRequest]]:
    n_offers = draw(st.integers(0, max_offers))
    n_requests = draw(st.integers(1, max_requests))
    return (
        [draw(offers(i)) for i in range(n_offers)],
        [draw(requests(i)) for i in range(n_requests)],
    )


time_slots = st.frozensets(st.sampled_from(list(TimeSlot)), max_size=4)
