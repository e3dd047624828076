from __future__ import annotations

import json
from importlib import resources

import pytest
from pydantic import ValidationError

from deformations_contracts.catalogue import Catalogue, catalogue_json_schema
from deformations_contracts.themes import Theme
from deformations_diagnosis.content.loader import (
    CURRENT_VERSION,
    UnknownQuestionnaireVersionError,
    available_versions,
    load_questionnaire,
    parse_questionnaire,
    questionnaire_json_schema,
)
from deformations_diagnosis.content.model import ItemKind, ItemRole, Questionnaire


def test_current_version_is_shipped_and_declares_itself(questionnaire: Questionnaire) -> None:
    assert CURRENT_VERSION in available_versions()
    assert questionnaire.version == CURRENT_VERSION


def test_questionnaire_has_the_size_and_styles_asked(questionnaire: Questionnaire) -> None:
    assert 20 <= len(questionnaire.items) <= 30
    assert 6 <= len(questionnaire.families) <= 7
    kinds = {i.kind for i in questionnaire.items}
    assert {ItemKind.QUIZ, ItemKind.PORTRAIT, ItemKind.SITUATION, ItemKind.TIME} <= kinds
    roles = {i.role for i in questionnaire.items}
    assert {
        ItemRole.MANDATE,
        ItemRole.DELEGATION,
        ItemRole.FIRST_MANDATE,
        ItemRole.PROFESSION,
    } <= roles


def test_every_axis_can_be_pushed_both_ways(questionnaire: Questionnaire) -> None:
    for axis in questionnaire.axes:
        weights = [o.weights.get(axis.code, 0) for i in questionnaire.items for o in i.options]
        assert min(weights) < 0 < max(weights), axis.code


def test_theme_options_carry_their_own_theme(questionnaire: Questionnaire) -> None:
    (item,) = questionnaire.items_with_role(ItemRole.PRIORITY_THEMES)
    assert {o.id for o in item.options} == {t.value for t in Theme}
    for option in item.options:
        assert option.themes == (Theme(option.id),)


def test_formats_point_to_recipes_of_the_catalogue(
    questionnaire: Questionnaire, catalogue: Catalogue
) -> None:
    for fmt in questionnaire.formats:
        assert catalogue.title_of(fmt.recipe_code)


def test_unknown_version_is_refused() -> None:
    with pytest.raises(UnknownQuestionnaireVersionError):
        load_questionnaire("1999-01-v1")


def test_a_file_with_an_unknown_axis_is_invalid(questionnaire: Questionnaire) -> None:
    raw = questionnaire.model_dump(mode="json")
    raw["items"][5]["options"][0]["weights"] = {"inconnu": 1}
    with pytest.raises(ValidationError, match="unknown axes"):
        Questionnaire.model_validate(raw)


def test_a_file_with_an_orphan_item_is_invalid(questionnaire: Questionnaire) -> None:
    raw = questionnaire.model_dump(mode="json")
    raw["sections"][1]["items"] = raw["sections"][1]["items"][1:]
    with pytest.raises(ValidationError, match="exactly one section"):
        Questionnaire.model_validate(raw)


def test_parse_round_trips_through_yaml(questionnaire: Questionnaire) -> None:
    text = json.dumps(questionnaire.model_dump(mode="json"), ensure_ascii=False)
    assert parse_questionnaire(text) == questionnaire


def test_committed_json_schemas_are_up_to_date() -> None:
    content = resources.files("deformations_diagnosis.content").joinpath("schema.json")
    assert json.loads(content.read_text("utf-8")) == questionnaire_json_schema()
    recipes = resources.files("deformations_contracts.catalogue").joinpath("recipes.schema.json")
    assert json.loads(recipes.read_text("utf-8")) == catalogue_json_schema()


def test_catalogue_has_the_eleven_thematiques(catalogue: Catalogue) -> None:
    assert [t.number for t in catalogue.thematiques] == list(range(1, 12))
    first = catalogue.thematique(1).recipe
    assert first.code == "t01_autodiagnostic"
    assert first.duration == "1 mois 1/2"
    assert first.difficulty == 2
    assert any("déjà un pied dedans" in line for line in first.for_you_if)
    assert len(first.happy_if) == 3
    assert catalogue.title_of("t03_cafe_formation") == "Un café formation"
    assert catalogue.thematique(6).recipe.title.startswith("Mon petit café mensuel")
    for thematique in catalogue.thematiques:
        recipe = thematique.recipe
        assert recipe.happy_if, recipe.code
        assert recipe.ingredients, recipe.code
        assert recipe.steps, recipe.code


def test_catalogue_rejects_a_misfiled_code(catalogue: Catalogue) -> None:
    raw = catalogue.model_dump(mode="json")
    raw["thematiques"][0]["recipe"]["code"] = "t02_autodiagnostic"
    with pytest.raises(ValidationError, match="does not belong"):
        Catalogue.model_validate(raw)
