"""``schemas compat`` against the history of the schema files in a real git repository."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from deformations_contracts.cli import main
from deformations_contracts.registry import EVENTS
from deformations_contracts.schemas import render, schema_of

GIT_IDENTITY = ["-c", "user.name=Contracts Test", "-c", "user.email=contracts@example.org"]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.schemas = root / "contracts" / "schemas"
        self.schemas.mkdir(parents=True)
        git(root, "init", "-q", "-b", "main")

    def put(self, name: str, schema: dict[str, Any]) -> None:
        (self.schemas / name).write_text(render(schema), encoding="utf-8")

    def commit(self, message: str) -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)
        return git(self.root, "rev-parse", "HEAD").strip()

    def compat(self, *extra: str) -> int:
        return main(["schemas", "compat", "--dir", str(self.schemas), *extra])


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.put("loan.agreed.v1.json", schema_of(EVENTS["loan.agreed.v1"]))
    repo.commit("first version")
    return repo


def loan_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(render(schema_of(EVENTS["loan.agreed.v1"])))
    return schema


def test_an_unchanged_history_is_compatible(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.compat() == 0
    assert "1 schemas compatible" in capsys.readouterr().out


def test_an_additive_change_is_compatible(repo: Repo) -> None:
    schema = loan_schema()
    schema["properties"]["convention_id"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    repo.put("loan.agreed.v1.json", schema)
    assert repo.compat() == 0
    repo.commit("add the convention id")
    assert repo.compat() == 0


def test_a_break_against_any_earlier_version_is_reported(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    first = git(repo.root, "rev-parse", "HEAD").strip()
    schema = loan_schema()
    schema["properties"]["convention_id"] = {"type": "string"}
    repo.put("loan.agreed.v1.json", schema)
    repo.commit("add convention id")
    # Dropping it again is fine against the first version, but breaks the second one.
    repo.put("loan.agreed.v1.json", loan_schema())
    schema = loan_schema()
    schema["required"].append("convention_id")
    schema["properties"]["convention_id"] = {"type": "string"}
    repo.put("loan.agreed.v1.json", schema)
    capsys.readouterr()
    assert repo.compat() == 1
    err = capsys.readouterr().err
    assert f"loan.agreed.v1.json (vs {first[:12]}): (root): new required property" in err
    assert "'convention_id' became required" in err


def test_the_git_ref_limits_the_history(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    first = git(repo.root, "rev-parse", "HEAD").strip()
    schema = loan_schema()
    schema["properties"]["convention_id"] = {"type": "string"}
    repo.put("loan.agreed.v1.json", schema)
    repo.commit("add the convention id")
    repo.put("loan.agreed.v1.json", loan_schema())
    assert repo.compat() == 1
    assert "'convention_id' removed" in capsys.readouterr().err
    assert repo.compat("--git-ref", first) == 0


def test_a_new_major_version_is_free_and_may_retire_the_old_one(repo: Repo) -> None:
    schema = loan_schema()
    schema["$id"] = schema["$id"].replace(".v1.", ".v2.")
    del schema["properties"]["agent_role"]
    schema["required"].remove("agent_role")
    repo.put("loan.agreed.v2.json", schema)
    repo.commit("loan.agreed v2")
    assert repo.compat() == 0
    (repo.schemas / "loan.agreed.v1.json").unlink()
    assert repo.compat() == 0


def test_a_schema_removed_without_a_new_major_breaks(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.schemas / "loan.agreed.v1.json").unlink()
    assert repo.compat() == 1
    assert "loan.agreed.v1.json: schema removed" in capsys.readouterr().err


def test_the_committed_schemas_are_compatible_with_their_history() -> None:
    assert main(["schemas", "compat"]) == 0
