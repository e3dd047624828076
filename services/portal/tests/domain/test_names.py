import pytest

from deformations_portal.domain.errors import InvalidName
from deformations_portal.domain.names import MAX_LENGTH, ChosenName, chosen_name


def test_a_name_is_trimmed_and_its_inner_spaces_collapsed() -> None:
    name = chosen_name("  Anne   Marie ", " de  la Tour ")
    assert name == ChosenName("Anne Marie", "de la Tour")
    assert name.full == "Anne Marie de la Tour"


def test_the_nom_is_optional_the_prenom_is_not() -> None:
    assert chosen_name("Camille", "   ") == ChosenName("Camille", "")
    assert chosen_name("Camille", "").full == "Camille"  # type: ignore[union-attr]
    with pytest.raises(InvalidName, match="Indiquez votre prénom"):
        chosen_name("  ", "Martin")


def test_both_fields_empty_mean_no_typed_name() -> None:
    assert chosen_name("", " ") is None


def test_a_name_typed_decomposed_is_stored_composed() -> None:
    name = chosen_name("He\u0301le\u0300ne", "Roux")
    assert name is not None and name.given_name == "Hélène"


@pytest.mark.parametrize(
    ("given", "usual", "message"),
    [
        ("Anne\x00", "Roux", "caractère invisible ou de contrôle"),
        ("Anne", "Ro\u200bux", "caractère invisible ou de contrôle"),
        ("Anne\nMarie", "Roux", "caractère invisible ou de contrôle"),
        ("A" * (MAX_LENGTH + 1), "Roux", f"{MAX_LENGTH} caractères au plus"),
        ("Anne", "R" * (MAX_LENGTH + 1), "Votre nom est trop long"),
        ("--", "42", "au moins une lettre"),
    ],
)
def test_bad_names_are_refused_in_french(given: str, usual: str, message: str) -> None:
    with pytest.raises(InvalidName, match=message):
        chosen_name(given, usual)


def test_a_name_of_the_longest_length_is_kept() -> None:
    assert chosen_name("A" * MAX_LENGTH, "") == ChosenName("A" * MAX_LENGTH, "")
