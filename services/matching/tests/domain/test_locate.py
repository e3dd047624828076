"""Where a collectivité sits, and the slot keys of loans' half-days."""

from deformations_common.geography import load_geography
from deformations_matching.domain.locate import departement_of, locate
from deformations_matching.domain.model import half_day_key

GEOGRAPHY = load_geography()
CREST_EPCI = "200040509"


def test_a_commune_is_placed_by_its_insee_code_or_else_its_siren() -> None:
    by_insee = locate(GEOGRAPHY, "000000000", "26108", None)
    by_siren = locate(GEOGRAPHY, "212601082", None, None)
    assert by_insee is not None and by_insee == by_siren
    assert by_insee.commune_name == "Crest" and by_insee.epci_siren == CREST_EPCI


def test_an_epci_is_placed_at_its_first_member_with_its_own_population() -> None:
    place = locate(GEOGRAPHY, CREST_EPCI, None, None)
    assert place is not None
    assert place.insee == GEOGRAPHY.members(CREST_EPCI)[0]
    assert place.population == GEOGRAPHY.epci(CREST_EPCI).population


def test_an_unknown_collectivite_has_no_place() -> None:
    assert locate(GEOGRAPHY, "999999999", "99999", "888888888") is None
    assert departement_of(GEOGRAPHY, None) is None
    assert departement_of(GEOGRAPHY, "2A004") == "2A"


def test_half_day_keys_follow_iso_weekdays() -> None:
    assert half_day_key(1, "am") == "mon_am" and half_day_key(7, "pm") == "sun_pm"
