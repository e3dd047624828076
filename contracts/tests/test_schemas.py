"""The committed JSON Schemas equal the ones the models generate."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from deformations_contracts.base import EventData
from deformations_contracts.cli import default_schema_dir, main
from deformations_contracts.registry import EVENTS
from deformations_contracts.schemas import JSON_SCHEMA_DIALECT, generated, schema_of

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


def test_the_cli_finds_the_committed_schemas() -> None:
    assert default_schema_dir() == SCHEMA_DIR


def test_schemas_on_disk_equal_the_generated_ones() -> None:
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in SCHEMA_DIR.glob("*.json")}
    assert on_disk == generated()


def test_each_schema_is_a_valid_draft_2020_12_schema_with_its_id(model: type[EventData]) -> None:
    schema = schema_of(model)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == JSON_SCHEMA_DIALECT
    assert schema["$id"] == model.dataschema()
    assert len(EVENTS) == len(generated())


def test_rendering_is_stable_sorted_and_ends_with_a_newline() -> None:
    for text in generated().values():
        assert text.endswith("}\n")
        assert (
            text
            == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )


def test_check_passes_on_the_committed_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "check"]) == 0
    assert f"{len(EVENTS)} schemas match" in capsys.readouterr().out


def test_write_then_check_in_a_fresh_directory(tmp_path: Path) -> None:
    assert main(["schemas", "write", "--dir", str(tmp_path)]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(generated())
    assert main(["schemas", "check", "--dir", str(tmp_path)]) == 0


def test_check_names_the_file_that_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["schemas", "write", "--dir", str(tmp_path)])
    changed = tmp_path / "loan.agreed.v1.json"
    schema = json.loads(changed.read_text(encoding="utf-8"))
    schema["required"].remove("agent_role")
    changed.write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "person.erasure_requested.v1.json").unlink()
    capsys.readouterr()
    assert main(["schemas", "check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "loan.agreed.v1.json: differs" in err
    assert "person.erasure_requested.v1.json: missing" in err
    assert "skill.offered.v1.json" not in err
