"""Collectivités named from the vendored geography, as the platform names them."""

from deformations_common.vocabulary.collectivites import known_name
from deformations_lending.domain.collectivites import Collectivite, describe


def test_an_unknown_siren_keeps_a_neutral_name_and_no_town_hall_of_its_own() -> None:
    unknown = describe("999999999")
    assert unknown == Collectivite("999999999", "Collectivité (SIREN 999999999)", "collectivite")
    assert not unknown.known
    assert describe("212600118").town_hall == "Mairie d'Aouste-sur-Sye"
    assert describe("200040509").kind == "CC"


def test_a_commune_carries_its_codes_and_its_epci() -> None:
    crest = describe("212601082")

    assert crest == Collectivite(
        siren="212601082",
        name="Crest",
        kind="commune",
        insee_code="26108",
        departement="26",
        epci_siren="200040509",
    )
    assert crest.town_hall == "Mairie de Crest"
    assert crest.ref().insee_code == "26108"


def test_names_are_the_platform_s_own() -> None:
    for siren in ("212601082", "212600118", "200040509"):
        assert describe(siren).name == known_name(siren)


def test_a_town_hall_is_named_with_the_right_article() -> None:
    assert describe("200040509").town_hall == (
        "Siège de CC du Crestois et de Pays de Saillans Coeur de Drôme"
    )
    # « Le Montellier » contracts: « du Montellier », never « de Le Montellier ».
    assert describe("210102604").town_hall == "Mairie du Montellier"
