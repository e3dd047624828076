"""SQL of the memberships of collectivités, as the portal published them (a read model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from deformations_common.db import Connection


@dataclass(frozen=True, slots=True)
class MembershipRow:
    membership_id: UUID
    person_id: str
    siren: str
    role: str
    status: str
    changed_at: datetime


class MembershipRepository:
    """The latest state of each membership, and who holds a validated one."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def upsert(self, row: MembershipRow) -> None:
        """Keep the latest change of a membership: an older one arriving late is ignored."""
        await self.conn.execute(
            """INSERT INTO memberships (membership_id, person_id, siren, role, status, changed_at)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (membership_id) DO UPDATE
                  SET person_id = excluded.person_id, siren = excluded.siren,
                      role = excluded.role, status = excluded.status,
                      changed_at = excluded.changed_at
                WHERE memberships.changed_at < excluded.changed_at""",
            row.membership_id,
            row.person_id,
            row.siren,
            row.role,
            row.status,
            row.changed_at,
        )

    async def validated_of(self, siren: str) -> set[tuple[str, str]]:
        """(person, role) of every validated membership of the collectivité."""
        rows = await self.conn.fetch(
            """SELECT DISTINCT person_id, role FROM memberships
                WHERE siren = $1 AND status = 'validated'""",
            siren,
        )
        return {(r["person_id"], r["role"]) for r in rows}

    async def erase_person(self, person_id: str) -> None:
        await self.conn.execute("DELETE FROM memberships WHERE person_id = $1", person_id)
