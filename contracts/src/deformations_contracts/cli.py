"""``deformations-contracts schemas write|check|compat``: the committed JSON Schemas."""

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from deformations_contracts import history
from deformations_contracts.compat import breaking_changes
from deformations_contracts.schemas import generated


def default_schema_dir() -> Path:
    """``contracts/schemas`` of the source tree, or of the current directory."""
    project = Path(__file__).resolve().parents[2]
    if (project / "pyproject.toml").is_file():
        return project / "schemas"
    return Path.cwd() / "contracts" / "schemas"


def write(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    expected = generated()
    for name, text in expected.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    for path in sorted(directory.glob("*.json")):
        if path.name not in expected:
            print(f"note: {path} has no model any more")
    return 0


def check(directory: Path) -> int:
    problems: list[str] = []
    for name, text in generated().items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{path}: missing (run `deformations-contracts schemas write`)")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: differs from the models (run `... schemas write`)")
    for message in problems:
        print(message, file=sys.stderr)
    if not problems:
        print(f"{len(generated())} schemas match the models")
    return 1 if problems else 0


def compat(directory: Path, ref: str) -> int:
    try:
        names = history.committed_files(directory, ref)
    except subprocess.CalledProcessError as error:
        print(f"git failed: {error.stderr.strip()}", file=sys.stderr)
        return 2
    present = {path.name for path in directory.glob("*.json")}
    problems: list[str] = []
    for name in sorted(names):
        path = directory / name
        if not path.is_file():
            if not history.superseded(name, present):
                problems.append(f"{name}: schema removed without a new major version")
            continue
        current = json.loads(path.read_text(encoding="utf-8"))
        for version in history.committed_versions(directory, name, ref):
            for change in breaking_changes(json.loads(version.text), current):
                problems.append(f"{name} (vs {version.commit[:12]}): {change}")
    for message in problems:
        print(message, file=sys.stderr)
    if not problems:
        print(f"{len(names)} schemas compatible with their history up to {ref}")
    return 1 if problems else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deformations-contracts")
    commands = parser.add_subparsers(dest="group", required=True)
    schemas = commands.add_parser("schemas", help="JSON Schemas of the event data")
    actions = schemas.add_subparsers(dest="action", required=True)
    for action, text in (
        ("write", "write the schemas generated from the models"),
        ("check", "fail when a committed schema differs from the models"),
        ("compat", "fail when a schema breaks an earlier committed version of itself"),
    ):
        sub = actions.add_parser(action, help=text)
        sub.add_argument("--dir", type=Path, default=None, help="schema directory")
        if action == "compat":
            sub.add_argument("--git-ref", default="HEAD", help="history to compare against")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    directory: Path = args.dir or default_schema_dir()
    if args.action == "write":
        return write(directory)
    if args.action == "check":
        return check(directory)
    return compat(directory, args.git_ref)


if __name__ == "__main__":
    sys.exit(main())
