"""A service's read model of the portal's memberships (``membership.changed.v1``).

Matching (who may be invited) and notifications (who holds a role a mail asks for) keep the
same table, each in its own database; the SQL that keeps it current is written once here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from deformations_common.db import Connection
from deformations_contracts.events.people import MembershipChanged


@dataclass(frozen=True, slots=True)
class MembershipRow:
    membership_id: UUID
    person_id: str
    siren: str
    role: str
    status: str
    changed_at: datetime

    @classmethod
    def of(cls, event: MembershipChanged) -> MembershipRow:
        return cls(
            membership_id=event.membership_id,
            person_id=event.person_id,
            siren=event.siren,
            role=event.role.value,
            status=event.status.value,
            changed_at=event.changed_at,
        )


class MembershipReadModel:
    """The latest state of each membership; services add the questions they ask of it."""

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
