import asyncio

import asyncpg
import pytest

from deformations_common import migrations


async def test_migrations_apply_once_even_when_replicas_race(database_url: str) -> None:
    results = await asyncio.gather(
        *(migrations.migrate(database_url, "racer", None) for _ in range(3))
    )
    applied = sorted(len(r) for r in results)
    assert applied == [0, 0, 5]
    conn = await asyncpg.connect(database_url)
    try:
        keys = await conn.fetch("SELECT key FROM racer.schema_migrations ORDER BY key")
        assert [k["key"] for k in keys] == [
            "runtime:001",
            "runtime:002",
            "runtime:003",
            "runtime:004",
            "runtime:005",
        ]
        assert await conn.fetchval("SELECT to_regclass('racer.outbox') IS NOT NULL")
    finally:
        await conn.close()
    assert await migrations.migrate(database_url, "racer", None) == []


async def test_a_changed_migration_is_refused(database_url: str) -> None:
    await migrations.migrate(database_url, "edited", None)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE edited.schema_migrations SET checksum = 'x'")
    finally:
        await conn.close()
    with pytest.raises(migrations.MigrationError, match="changed after it was applied"):
        await migrations.migrate(database_url, "edited", None)
