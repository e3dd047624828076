"""The README's table of events is the registry's: every event, its model and its producers."""

import re
from pathlib import Path

from deformations_contracts.registry import EVENTS

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_lists_every_event_with_its_producers() -> None:
    rows = re.findall(
        r"^\| `([a-z_.]+\.v\d+)` \| `([\w.]+)` \| ([\w, ]+) \|$", README.read_text(), re.M
    )
    listed = {key: (model, producers) for key, model, producers in rows}
    assert listed == {
        key: (
            f"{model.__module__.removeprefix('deformations_contracts.')}.{model.__name__}",
            ", ".join(model.producers()),
        )
        for key, model in EVENTS.items()
    }
