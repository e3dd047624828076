"""The operators' content work recorded in their journal: questionnaire versions uploaded
and published (diagnosis keeps them), recipes of the catalogue edited."""

from __future__ import annotations

import uuid

from deformations_portal.domain.operator import JournalAction, JournalEntry
from deformations_portal.service.operator import require
from deformations_portal.service.uow import PortalUow


async def record_questionnaire(
    uow: PortalUow, actor: uuid.UUID, version: str, *, published: bool
) -> None:
    """One journal line for a version an operator uploaded or published."""
    await require(uow, actor)
    action = (
        JournalAction.QUESTIONNAIRE_PUBLISHED if published else JournalAction.QUESTIONNAIRE_UPLOADED
    )
    await uow.journal.add(JournalEntry(uow.now(), actor, action, f"questionnaire:{version}"))
