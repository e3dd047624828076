"""A new questionnaire version as an operator would upload it: the shipped file under
another version, with another title (and, if asked, another first question)."""

from __future__ import annotations

from importlib import resources

from deformations_diagnosis.content.loader import CURRENT_VERSION

SHIPPED_TITLE = "Quel·le élu·e en transition êtes-vous ?"


def shipped_source(version: str = CURRENT_VERSION) -> str:
    return (
        resources.files("deformations_diagnosis.content")
        .joinpath(f"questionnaire-{version}.yaml")
        .read_text("utf-8")
    )


def new_version_source(version: str, title: str = "Élus en transition : édition 2027") -> str:
    """The shipped questionnaire declared as ``version``, titled ``title``."""
    source = shipped_source()
    assert f'version: "{CURRENT_VERSION}"' in source
    assert f'title: "{SHIPPED_TITLE}"' in source
    return source.replace(f'version: "{CURRENT_VERSION}"', f'version: "{version}"', 1).replace(
        f'title: "{SHIPPED_TITLE}"', f'title: "{title}"', 1
    )
