"""The typed names' SQL on the real PostgreSQL: set, changed, cleared, searched, erased."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from deformations_common import db, migrations
from deformations_common.db import Connection
from deformations_portal.domain.names import ChosenName
from deformations_portal.repositories.people import Identity, PersonRepository

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[Connection]:
    await migrations.migrate(database_url, "portal", "deformations_portal.migrations")
    pool = await db.create_pool(database_url, "portal", min_size=1, max_size=2)
    try:
        async with pool.acquire() as connection:
            yield connection
    finally:
        await pool.close()


async def test_a_typed_name_is_kept_changed_cleared_and_erased(conn: Connection) -> None:
    persons = PersonRepository(conn)
    her = uuid.uuid4()
    address = f"{her.hex}@crest.fr"
    await persons.add(her, AT)
    await persons.save_identity(Identity("email", address, her, address, None, None, True), AT)
    assert await persons.chosen_name(her) is None
    unique = f"Faure{her.hex[:8]}"
    await persons.choose_name(her, ChosenName("Claire", unique), AT)
    await persons.choose_name(her, ChosenName("Clara", unique), AT)
    assert await persons.chosen_name(her) == ChosenName("Clara", unique)
    assert await persons.search(f"clara {unique}") == [her]
    await persons.choose_name(her, None, AT)
    assert await persons.chosen_name(her) is None
    assert await persons.search(f"clara {unique}") == []
    await persons.choose_name(her, ChosenName("Clara", unique), AT)
    await persons.anonymise(her, AT)
    assert await persons.chosen_name(her) is None
    left = await conn.fetchval("SELECT count(*) FROM person_names WHERE person_id = $1", her)
    assert left == 0
