"""Every recipe run as a programme passes the schema; recipes with a tool link to it."""

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from deformations_contracts.catalogue.programmes import (
    ProgrammeCatalogue,
    RecipeProgramme,
    Tool,
    load_programmes,
    programmes_json_schema,
)
from deformations_contracts.catalogue.recipes import load_catalogue

_FILES = resources.files("deformations_contracts.catalogue")


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_FILES.joinpath("programmes.json").read_text("utf-8"))
    return data


def test_the_shipped_schema_is_the_models_schema() -> None:
    shipped = json.loads(_FILES.joinpath("programmes.schema.json").read_text("utf-8"))
    assert shipped == programmes_json_schema()


def test_every_programme_with_steps_passes_the_json_schema() -> None:
    raw = _raw()
    jsonschema.validate(raw, programmes_json_schema())
    with_steps = [p for p in raw["programmes"] if p.get("steps")]
    assert len(with_steps) >= 11
    for programme in with_steps:
        schema = {"$defs": programmes_json_schema()["$defs"], "$ref": "#/$defs/RecipeProgramme"}
        jsonschema.validate(programme, schema)


def test_every_featured_recipe_either_runs_as_a_programme_or_links_to_its_tool() -> None:
    programmes = load_programmes()
    for thematique in load_catalogue().thematiques:
        programme = programmes.find(thematique.recipe.code)
        assert bool(programme.steps) != (programme.tool is not None)
    linked = {p.code: p.tool.tool for p in programmes.programmes if p.tool is not None}
    assert linked == {
        "t01_autodiagnostic": Tool.QUIZ,
        "t03_cycle_a_la_carte": Tool.CYCLE_A_LA_CARTE,
        "t06_cafe_elus_techniciens": Tool.CAFES,
        "t07_groupe_entraide": Tool.PEER_GROUPS,
        "t08_pret_de_competences": Tool.LENDING,
    }


def test_the_other_ideas_that_fit_the_engine_are_runnable() -> None:
    runnable = {p.code for p in load_programmes().runnable()}
    assert {
        "t03_cafe_formation",
        "t03_universite_buissonniere",
        "t01_charte_formation",
        "t06_demarreur_bienveillant",
        "t04_podcasts",
    } <= runnable


def test_featured_recipes_close_on_the_booklets_own_criteria() -> None:
    catalogue = load_catalogue()
    for programme in load_programmes().runnable():
        if not programme.derived:
            recipe = catalogue.find(programme.code)
            assert programme.happy_if == recipe.happy_if  # type: ignore[union-attr]


def test_the_non_conference_is_a_half_day_with_notes_per_workshop() -> None:
    day = load_programmes().find("t10_non_conference").step("jour_j")
    assert day.duration_days == 1 and day.with_session
    assert any("notes" in p for p in day.produces)


def test_a_programme_with_both_steps_and_a_tool_is_refused() -> None:
    raw = _raw()
    carnet = next(p for p in raw["programmes"] if p["code"] == "t02_carnet_de_bord")
    with pytest.raises(ValidationError):
        RecipeProgramme.model_validate(
            {**carnet, "tool": {"tool": "quiz", "service": "diagnosis", "note": "Le quiz."}}
        )
    with pytest.raises(ValidationError):
        RecipeProgramme.model_validate({**carnet, "steps": []})


def test_an_unknown_recipe_code_is_refused() -> None:
    raw = _raw()
    raw["programmes"].append({**raw["programmes"][1], "code": "t02_inconnue"})
    with pytest.raises(ValidationError):
        ProgrammeCatalogue.model_validate(raw)
