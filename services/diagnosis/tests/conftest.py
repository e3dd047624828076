from __future__ import annotations

import pytest
from hypothesis import strategies as st

from deformations_contracts.catalogue import Catalogue, load_catalogue
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.submission import Submission


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    return load_questionnaire()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@st.composite
def complete_submissions(draw: st.DrawFn, q: Questionnaire) -> Submission:
    """Any complete and valid answer set to ``q``."""
    answers: dict[str, tuple[str, ...]] = {}
    for item in q.items:
        ids = [o.id for o in item.options]
        if item.multiple:
            count = draw(st.integers(1 if item.required else 0, item.limit))
            answers[item.id] = tuple(draw(st.permutations(ids))[:count])
        else:
            answers[item.id] = (draw(st.sampled_from(ids)),)
    return Submission(questionnaire_version=q.version, answers=answers)


def first_options(q: Questionnaire) -> dict[str, tuple[str, ...]]:
    return {item.id: (item.options[0].id,) for item in q.items}


# Integration tests of the service start it on the real broker and database.
from platform_harness import Platform, RunningService, platform  # noqa: E402

from deformations_common.service import create_app  # noqa: E402
from deformations_common.vocabulary.clock import ManualClock  # noqa: E402
from deformations_devtools.testing import running  # noqa: E402


async def start_at(platform: Platform, clock: ManualClock) -> RunningService:
    """The service started like ``platform.start("diagnosis")``, its time read from ``clock``."""
    definition = platform.definition("diagnosis")
    definition.clock = clock
    app = create_app(definition)
    client = await platform.stack.enter_async_context(running(app))
    service = RunningService("diagnosis", app, client, definition.settings)
    platform.services["diagnosis"] = service
    return service


__all__ = ["complete_submissions", "first_options", "platform", "start_at"]
