"""The seeded synthetic data of the matching benchmarks (devtools)."""

from deformations_common.geography import load_geography
from deformations_devtools.matching.synthetic import council_size, make_elus, make_world

from .domain.strategies import places


def test_synthetic_world_is_reproducible_from_its_seed() -> None:
    geography = load_geography()
    first = make_world(geography, offers=30, requests=30, seed=5, places=places())
    again = make_world(geography, offers=30, requests=30, seed=5, places=places())
    other = make_world(geography, offers=30, requests=30, seed=6, places=places())
    assert len(first.offers) == 30 and len(first.requests) == 30  # `all` below needs some
    assert first == again
    assert first.offers != other.offers
    assert all(o.themes and o.capacity_half_days >= 1 for o in first.offers)


def test_elus_follow_council_sizes() -> None:
    elus = make_elus(places(), seed=1)
    assert places() and elus
    assert len(elus) == sum(council_size(p.population) for p in places())
    assert council_size(90) == 7
    assert council_size(1_200) == 15
