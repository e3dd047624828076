"""The moderation queue's part in the portal: who wrote what (people are the portal's), and
the journal line of every hiding and showing an operator does."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from deformations_portal.domain.operator import JournalAction, JournalEntry
from deformations_portal.service import people
from deformations_portal.service.operator import require
from deformations_portal.service.uow import PortalUow


async def authors(uow: PortalUow, actor: uuid.UUID, person_ids: Iterable[str]) -> dict[str, str]:
    """The display name of each author, for operators only; an unknown id stays unnamed."""
    await require(uow, actor)
    named = {}
    for person_id in set(person_ids):
        try:
            named[person_id] = await people.display_name(uow, uuid.UUID(person_id))
        except ValueError:
            named[person_id] = "auteur inconnu"
    return named


async def record(
    uow: PortalUow, actor: uuid.UUID, subject: str, *, hidden: bool, reason: str | None
) -> None:
    """One journal line: ``subject`` is ``<service>:<kind>:<id>``."""
    await require(uow, actor)
    action = JournalAction.CONTENT_HIDDEN if hidden else JournalAction.CONTENT_SHOWN
    await uow.journal.add(JournalEntry(uow.now(), actor, action, subject, None, reason))
