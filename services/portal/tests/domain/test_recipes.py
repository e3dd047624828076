"""Operators' recipe texts: what the form must give, and how edits lie over the booklet."""

import pytest

from deformations_contracts.catalogue.recipes import load_catalogue
from deformations_portal.domain.recipes import (
    STEPS_MAX,
    RecipeText,
    RecipeTextInvalid,
    overlay,
    read_text,
)


def test_the_form_becomes_clean_lines() -> None:
    text = read_text(
        "  Un   titre ", "Un résumé.\n", "Première étape\n\n  Deuxième  \n", "Ça marche"
    )
    assert text == RecipeText(
        "Un titre", "Un résumé.", ("Première étape", "Deuxième"), ("Ça marche",)
    )


def test_every_field_in_trouble_is_told_in_french() -> None:
    with pytest.raises(RecipeTextInvalid) as refused:
        read_text(" ", "", "\n".join(["étape"] * (STEPS_MAX + 1)), "x" * 1001)
    assert refused.value.errors == {
        "titre": "Donnez un titre à la recette.",
        "resume": "Résumez la recette en quelques phrases.",
        "etapes": "Une recette a au plus 20 étapes.",
        "content": "Chaque critère tient en 1000 caractères au plus.",
    }
    assert refused.value.status == 422


def test_an_edit_replaces_only_its_recipes_texts() -> None:
    catalogue = load_catalogue()
    first = catalogue.thematiques[0].recipe
    text = RecipeText("Nouveau titre", "Nouveau résumé.", ("a", "b"), ("c",))
    shown = overlay(catalogue, {first.code: text, "t99_gone": text})
    edited = shown.thematiques[0].recipe
    assert (edited.title, edited.summary, edited.steps, edited.happy_if) == (
        "Nouveau titre",
        "Nouveau résumé.",
        ("a", "b"),
        ("c",),
    )
    assert edited.ingredients == first.ingredients and edited.code == first.code
    assert shown.thematiques[1:] == catalogue.thematiques[1:]
    assert catalogue.thematiques[0].recipe == first  # the shipped catalogue is untouched
    assert overlay(catalogue, {}) is catalogue
