from datetime import timedelta

import pytest
from training_factories import NOW, offer, session

from deformations_training.domain.errors import InvalidTrainingInput, RegistrationClosed
from deformations_training.domain.offers import Format, PriceTier, cancel_offer


def test_an_offer_has_a_place_or_a_link_not_both() -> None:
    with pytest.raises(InvalidTrainingInput, match="lieu"):
        offer(place_insee="26108", video_url="https://visio.example.org/x")
    with pytest.raises(InvalidTrainingInput, match="lieu"):
        offer(place_insee=None, video_url=None)


def test_e_learning_needs_no_session_but_others_do() -> None:
    assert (
        offer(
            fmt=Format.E_LEARNING,
            sessions=[],
            place_insee=None,
            video_url="https://cours.example.org/m1",
        ).starts_at()
        is None
    )
    with pytest.raises(InvalidTrainingInput, match="séance"):
        offer(sessions=[])


def test_sessions_are_in_the_future_and_never_overlap() -> None:
    past = session(days=-1)
    with pytest.raises(InvalidTrainingInput, match="futur"):
        offer(sessions=[past])
    first = session(days=5)
    overlapping = session(days=5, hour=9)
    with pytest.raises(InvalidTrainingInput, match="chevauchent"):
        offer(sessions=[first, overlapping])


def test_an_unknown_theme_is_refused_in_french() -> None:
    with pytest.raises(InvalidTrainingInput, match="Thème inconnu"):
        offer(theme="astrologie")


def test_group_tiers_fall_with_the_size_of_the_group() -> None:
    grouped = offer(price_cents=30_000, tiers=[PriceTier(4, 24_000), PriceTier(8, 15_000)])
    assert [grouped.price_for(n) for n in (1, 3, 4, 7, 8, 12)] == [
        30_000,
        30_000,
        24_000,
        24_000,
        15_000,
        15_000,
    ]
    with pytest.raises(InvalidTrainingInput, match="baisse"):
        offer(price_cents=30_000, tiers=[PriceTier(4, 24_000), PriceTier(8, 26_000)])
    with pytest.raises(InvalidTrainingInput, match="capacité"):
        offer(capacity=6, tiers=[PriceTier(8, 15_000)])


def test_registration_closes_at_the_first_session_or_as_set() -> None:
    o = offer(closes=NOW + timedelta(days=10))
    assert o.registration_open(NOW + timedelta(days=9))
    with pytest.raises(RegistrationClosed):
        o.ensure_open(NOW + timedelta(days=10))
    cancelled = cancel_offer(o, NOW)
    assert not cancelled.registration_open(NOW)
    assert all(s.cancelled for s in cancelled.sessions)
