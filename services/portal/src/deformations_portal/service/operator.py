"""The operators' back-office: people and their memberships, the queue of requests across
collectivités, revocations, the collectivités, and the journal of every decision."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from deformations_common.vocabulary.errors import InvalidInput
from deformations_portal.domain import collectivites, operator
from deformations_portal.domain.collectivites import Collectivite
from deformations_portal.domain.memberships import REFERENT_ROLES, Membership
from deformations_portal.domain.operator import JournalAction, JournalEntry, JournalFilter
from deformations_portal.service import memberships as membership_cases
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow

SEARCH_MIN = 2


async def require(uow: PortalUow, actor: uuid.UUID) -> Membership:
    """The actor's operator membership; anyone else is refused."""
    return operator.require_operator(await uow.memberships.of_person(actor))


@dataclass(frozen=True)
class Person:
    person_id: uuid.UUID
    name: str
    emails: list[str]
    memberships: list[Membership]


async def search_people(uow: PortalUow, actor: uuid.UUID, query: str) -> list[Person]:
    await require(uow, actor)
    text = query.strip()
    if not text:
        return []
    if len(text) < SEARCH_MIN:
        raise InvalidInput("Tapez au moins 2 caractères d'une adresse ou d'un nom.")
    found = []
    for person_id in await uow.persons.search(text):
        found.append(
            Person(
                person_id,
                await people.display_name(uow, person_id),
                await people.emails_of(uow, person_id),
                await uow.memberships.of_person(person_id),
            )
        )
    return found


@dataclass(frozen=True)
class Waiting:
    membership: Membership
    who: str


async def pending(uow: PortalUow, actor: uuid.UUID) -> list[Waiting]:
    """Every request waiting for a decision, across collectivités, oldest first."""
    await require(uow, actor)
    waiting = await uow.memberships.pending_for(None)
    waiting.sort(key=lambda m: m.requested_at)
    return [Waiting(m, await people.display_name(uow, m.person_id)) for m in waiting]


async def decide(
    uow: PortalUow,
    actor: uuid.UUID,
    membership_id: uuid.UUID,
    *,
    accept: bool,
    why: str | None = None,
) -> Membership:
    """Accept or refuse a request (a refusal says why); the journal records it."""
    await require(uow, actor)
    motive = operator.reason(why, required=not accept)
    return await membership_cases.decide(uow, actor, membership_id, accept=accept, why=motive)


async def revoke(
    uow: PortalUow, actor: uuid.UUID, membership_id: uuid.UUID, why: str | None
) -> Membership:
    """Withdraw a validated membership (or a pending invitation), saying why."""
    await require(uow, actor)
    motive = operator.reason(why, required=True)
    # The same use case as the référent's: her sessions end with her last membership.
    ended = (await membership_cases.revoke(uow, actor, membership_id)).membership
    await _record(
        uow, actor, JournalAction.MEMBERSHIP_REVOKED, str(ended.membership_id), ended.siren, motive
    )
    return ended


@dataclass(frozen=True)
class CollectiviteRow:
    collectivite: Collectivite
    members: int
    waiting: int
    referents: list[str]


async def browse_collectivites(
    uow: PortalUow, actor: uuid.UUID, query: str
) -> list[CollectiviteRow]:
    """The collectivités matching ``query`` in the COG, or without a query those with
    members or requests; with their counts and référents."""
    await require(uow, actor)
    if query.strip():
        found = collectivites.search(query, limit=20)
        counts = await uow.memberships.counts([c.siren for c in found])
    else:
        counts = await uow.memberships.counts(None)
        found = [c for c in (collectivites.find(s) for s in counts) if c is not None]
    held = await uow.memberships.validated_in(
        [c.siren for c in found], sorted(REFERENT_ROLES, key=lambda r: r.value)
    )
    rows = []
    for collectivite in found:
        names = [
            f"{await people.display_name(uow, m.person_id)} ({m.role.label})"
            for m in held
            if m.siren == collectivite.siren
        ]
        members, waiting = counts.get(collectivite.siren, (0, 0))
        rows.append(CollectiviteRow(collectivite, members, waiting, names))
    return rows


async def record_dead_letters(
    uow: PortalUow,
    actor: uuid.UUID,
    service: str,
    *,
    redriven: bool,
    ids: Sequence[str],
) -> None:
    """One journal line per dead letter an operator re-drove or discarded."""
    await require(uow, actor)
    action = JournalAction.DEAD_LETTER_REDRIVEN if redriven else JournalAction.DEAD_LETTER_DISCARDED
    for ce_id in ids:
        await _record(uow, actor, action, f"{service}:{ce_id}", None, None)


@dataclass(frozen=True)
class Line:
    entry: JournalEntry
    who: str


@dataclass(frozen=True)
class JournalPage:
    lines: list[Line]
    total: int
    filter: JournalFilter

    @property
    def pages(self) -> int:
        return operator.pages(self.total)


async def journal(uow: PortalUow, actor: uuid.UUID, chosen: JournalFilter) -> JournalPage:
    await require(uow, actor)
    entries, total = await uow.journal.page(chosen)
    names: dict[uuid.UUID, str] = {}
    for entry in entries:
        if entry.actor not in names:
            names[entry.actor] = await people.display_name(uow, entry.actor)
    return JournalPage([Line(e, names[e.actor]) for e in entries], total, chosen)


async def _record(
    uow: PortalUow,
    actor: uuid.UUID,
    action: JournalAction,
    subject: str,
    siren: str | None,
    why: str | None,
) -> None:
    await uow.journal.add(JournalEntry(uow.now(), actor, action, subject, siren, why))
