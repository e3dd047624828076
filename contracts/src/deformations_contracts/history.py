"""Earlier committed versions of the schema files, read from git history."""

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_VERSIONED = re.compile(r"^(?P<name>.+)\.v(?P<major>[0-9]+)\.json$")


@dataclass(frozen=True)
class CommittedVersion:
    commit: str
    text: str


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed executable, arguments built here
        ["git", *args],  # noqa: S607 - git from PATH, like any developer tool
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def repository_root(directory: Path) -> Path:
    return Path(_git(directory, "rev-parse", "--show-toplevel").strip())


def committed_files(directory: Path, ref: str) -> set[str]:
    """Names of every schema file that ever existed in ``directory`` up to ``ref``."""
    root = repository_root(directory)
    relative = directory.resolve().relative_to(root.resolve())
    listed = _git(root, "log", "--format=", "--name-only", ref, "--", str(relative))
    return {
        Path(line).name
        for line in listed.splitlines()
        if line.strip() and Path(line).parent == relative and line.endswith(".json")
    }


def committed_versions(directory: Path, name: str, ref: str) -> Iterator[CommittedVersion]:
    """Every committed version of one schema file up to ``ref``, newest first."""
    root = repository_root(directory)
    relative = (directory.resolve() / name).relative_to(root.resolve()).as_posix()
    for commit in _git(root, "log", "--format=%H", ref, "--", relative).split():
        try:
            text = _git(root, "show", f"{commit}:{relative}")
        except subprocess.CalledProcessError:
            continue  # the commit deleted the file
        yield CommittedVersion(commit, text)


def superseded(name: str, present: set[str]) -> bool:
    """Whether a (deleted) ``<event>.vN.json`` has a higher major version among ``present``."""
    match = _VERSIONED.match(name)
    if match is None:
        return False
    for other in present:
        found = _VERSIONED.match(other)
        if found and found["name"] == match["name"] and int(found["major"]) > int(match["major"]):
            return True
    return False
