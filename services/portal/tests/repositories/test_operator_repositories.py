"""The back-office's SQL on the real PostgreSQL: the journal (filters, paging), the search
of people, the counts and référents of collectivités."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from deformations_common import db, migrations
from deformations_common.db import Connection
from deformations_common.vocabulary.roles import Role
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.domain.operator import (
    JournalAction,
    JournalEntry,
    JournalFilter,
)
from deformations_portal.repositories.journal import JournalRepository
from deformations_portal.repositories.memberships import MembershipRepository
from deformations_portal.repositories.people import Identity, PersonRepository

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CREST = "212601082"
DIE = "212601132"


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[Connection]:
    await migrations.migrate(database_url, "portal", "deformations_portal.migrations")
    pool = await db.create_pool(database_url, "portal", min_size=1, max_size=2)
    try:
        async with pool.acquire() as connection:
            yield connection
    finally:
        await pool.close()


async def test_the_journal_pages_newest_first_and_filters(conn: Connection) -> None:
    journal = JournalRepository(conn)
    actor = uuid.uuid4()
    for n in range(23):
        await journal.add(
            JournalEntry(
                AT + timedelta(minutes=n),
                actor,
                JournalAction.MEMBERSHIP_ACCEPTED if n % 2 else JournalAction.MEMBERSHIP_REFUSED,
                f"m{n}",
                CREST if n < 20 else DIE,
                None if n % 2 else f"motif {n}",
            )
        )
    first, total = await journal.page(JournalFilter())
    assert total == 23 and len(first) == 20
    assert [e.subject for e in first[:2]] == ["m22", "m21"]
    assert first[0].reason == "motif 22" and first[1].reason is None
    assert first[0].actor == actor and first[0].at == AT + timedelta(minutes=22)
    second, _ = await journal.page(JournalFilter(page=2))
    assert [e.subject for e in second] == ["m2", "m1", "m0"]
    refused, total = await journal.page(JournalFilter(JournalAction.MEMBERSHIP_REFUSED, DIE))
    assert total == 2 and [e.subject for e in refused] == ["m22", "m20"]
    none, total = await journal.page(JournalFilter(JournalAction.DEAD_LETTER_REDRIVEN))
    assert (none, total) == ([], 0)


async def _person(conn: Connection, email: str, given: str | None, usual: str | None) -> uuid.UUID:
    persons = PersonRepository(conn)
    person_id = uuid.uuid4()
    await persons.add(person_id, AT)
    await persons.save_identity(Identity("email", email, person_id, email, given, usual), AT)
    return person_id


async def test_people_are_found_by_address_or_name_never_once_erased(conn: Connection) -> None:
    persons = PersonRepository(conn)
    claire = await _person(conn, "claire.martin@crest.fr", "Claire", "Martin")
    paul = await _person(conn, "p@die.fr", "Paul", "Durand")
    gone = await _person(conn, "claire@ailleurs.fr", None, None)
    await persons.anonymise(gone, AT)
    assert await persons.search("CLAIRE") == [claire]
    assert await persons.search("claire martin") == [claire]
    assert await persons.search("@die") == [paul]
    assert set(await persons.search("r")) == {claire, paul}
    # LIKE's wildcards are plain characters here.
    assert await persons.search("%") == [] and await persons.search("_") == []


async def test_counts_and_referents_of_collectivites(conn: Connection) -> None:
    memberships = MembershipRepository(conn)
    hr = await _person(conn, "rh@crest.fr", "Rémi", "Hache")
    elu = await _person(conn, "e@crest.fr", None, None)
    other = await _person(conn, "o@die.fr", None, None)

    async def add(person: uuid.UUID, siren: str, role: Role, status: Status) -> Membership:
        m = Membership(uuid.uuid4(), person, siren, role, status, AT)
        await memberships.add(m)
        return m

    referent = await add(hr, CREST, Role.HR, Status.VALIDATED)
    await add(elu, CREST, Role.ELECTED, Status.VALIDATED)
    await add(other, CREST, Role.AGENT, Status.REQUESTED)
    await add(other, DIE, Role.ELECTED, Status.REFUSED)
    assert await memberships.counts(None) == {CREST: (2, 1)}
    assert await memberships.counts([DIE]) == {}
    found = await memberships.validated_in([CREST, DIE], [Role.HR, Role.SECRETARY])
    assert [m.membership_id for m in found] == [referent.membership_id]
