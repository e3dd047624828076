"""Per-service schema migrations: ordered SQL files, recorded, safe when replicas race.

A service ships ``NNN_name.sql`` files in a package; the runtime's own files (outbox,
inbox) are applied first. Each file runs in its own transaction; a session-level
advisory lock on the schema serialises concurrent starts, so the second replica waits,
then finds everything applied.
"""

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import asyncpg

from deformations_common.logging import get_logger

_FILE = re.compile(r"^(?P<version>\d{3,})_(?P<name>[a-z0-9_]+)\.sql$")
RUNTIME_PACKAGE = "deformations_common.sql"

log = get_logger()


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    scope: str  # "runtime" or the service's name
    version: str
    name: str
    sql: str

    @property
    def key(self) -> str:
        return f"{self.scope}:{self.version}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(package: str, scope: str) -> list[Migration]:
    """The migrations of a package, in order; a misnamed .sql file is an error."""
    root: Traversable = resources.files(package)
    found: list[Migration] = []
    for entry in root.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE.match(entry.name)
        if match is None:
            raise MigrationError(f"{package}/{entry.name}: expected NNN_name.sql")
        found.append(
            Migration(scope, match["version"], match["name"], entry.read_text(encoding="utf-8"))
        )
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{package}: two migrations share a version")
    return found


def _lock_id(schema: str) -> int:
    digest = hashlib.sha256(f"deformations-migrate:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def migrate(database_url: str, schema: str, service_package: str | None) -> list[str]:
    """Apply pending migrations to ``schema``; returns the keys applied now."""
    pending = discover(RUNTIME_PACKAGE, "runtime")
    if service_package is not None:
        pending += discover(service_package, schema)
    conn = await asyncpg.connect(database_url)
    applied_now: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _lock_id(schema))
        try:
            # A deployed role owns its schema but may not create schemas: skip when it exists.
            exists = await conn.fetchval("SELECT true FROM pg_namespace WHERE nspname = $1", schema)
            if not exists:
                await conn.execute(f'CREATE SCHEMA "{schema}"')
            await conn.execute(f'SET search_path TO "{schema}", public')
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       key text PRIMARY KEY,
                       checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            done = {
                r["key"]: r["checksum"]
                for r in await conn.fetch("SELECT key, checksum FROM schema_migrations")
            }
            for migration in pending:
                if migration.key in done:
                    if done[migration.key] != migration.checksum:
                        raise MigrationError(
                            f"{migration.key} ({migration.name}) changed after it was applied"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (key, checksum) VALUES ($1, $2)",
                        migration.key,
                        migration.checksum,
                    )
                applied_now.append(migration.key)
                log.info("migrations.migration_applied", schema=schema, key=migration.key)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _lock_id(schema))
    finally:
        await conn.close()
    return applied_now
