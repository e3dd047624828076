"""The back-office's moderation and deliveries, on the portal's side: who wrote or receives
what (people are the portal's), and the journal line of every operator action on them."""

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
    uow: PortalUow,
    actor: uuid.UUID,
    subject: str,
    *,
    hidden: bool,
    reason: str | None,
    siren: str | None = None,
) -> None:
    """One journal line: ``subject`` is ``<service>:<kind>:<id>``; ``siren`` the
    collectivité that published the text, when one did (the journal filters by it)."""
    await require(uow, actor)
    action = JournalAction.CONTENT_HIDDEN if hidden else JournalAction.CONTENT_SHOWN
    await uow.journal.add(JournalEntry(uow.now(), actor, action, subject, siren, reason))


async def record_retry(uow: PortalUow, actor: uuid.UUID, subject: str) -> None:
    """One journal line per delivery an operator had tried again: ``<kind>:<id>``."""
    await require(uow, actor)
    await uow.journal.add(
        JournalEntry(uow.now(), actor, JournalAction.DELIVERY_RETRIED, subject, None, None)
    )


async def record_report(
    uow: PortalUow, actor: uuid.UUID, subject: str, *, blocked: bool, reason: str | None
) -> None:
    """One journal line per relay report handled: a sender blocked, or the report dismissed."""
    await require(uow, actor)
    action = JournalAction.RELAY_SENDER_BLOCKED if blocked else JournalAction.RELAY_REPORT_DISMISSED
    await uow.journal.add(JournalEntry(uow.now(), actor, action, subject, None, reason))
