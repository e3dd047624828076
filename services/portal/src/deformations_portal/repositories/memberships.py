"""Memberships and the audit of every change of rights."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from deformations_common.db import Connection
from deformations_common.vocabulary.roles import Role
from deformations_portal.domain.errors import MembershipAlreadyExists
from deformations_portal.domain.memberships import Membership, Status


class MembershipRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, membership: Membership, *, invited_email: str | None = None) -> None:
        try:
            await self.conn.execute(
                "INSERT INTO memberships (membership_id, person_id, siren, role, status,"
                " requested_at, decided_by, decided_at, invited_email)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                membership.membership_id,
                membership.person_id,
                membership.siren,
                membership.role.value,
                membership.status.value,
                membership.requested_at,
                membership.decided_by,
                membership.decided_at,
                invited_email,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "memberships_live":
                raise MembershipAlreadyExists(
                    "Vous avez déjà une adhésion en cours pour cette collectivité et ce rôle."
                ) from exc
            raise
        await self._audit(membership, membership.decided_by, membership.requested_at)

    async def update(self, membership: Membership, actor: UUID | None, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE memberships SET status = $2, decided_by = $3, decided_at = $4"
            " WHERE membership_id = $1",
            membership.membership_id,
            membership.status.value,
            membership.decided_by,
            membership.decided_at,
        )
        await self._audit(membership, actor, at)

    async def _audit(self, m: Membership, actor: UUID | None, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO rights_audit (membership_id, person_id, siren, role, status, actor, at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            m.membership_id,
            m.person_id,
            m.siren,
            m.role.value,
            m.status.value,
            actor,
            at,
        )

    async def get(self, membership_id: UUID) -> Membership | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM memberships WHERE membership_id = $1 FOR UPDATE", membership_id
        )
        return None if row is None else _membership(row)

    async def of_person(self, person_id: UUID) -> list[Membership]:
        rows = await self.conn.fetch(
            "SELECT * FROM memberships WHERE person_id = $1 ORDER BY requested_at", person_id
        )
        return [_membership(r) for r in rows]

    async def pending_for(self, sirens: list[str] | None) -> list[Membership]:
        """Requests waiting for a decision, for these collectivités (None: all of them)."""
        rows = await self.conn.fetch(
            "SELECT * FROM memberships WHERE status = 'requested'"
            " AND ($1::text[] IS NULL OR siren = ANY($1)) ORDER BY requested_at",
            sirens,
        )
        return [_membership(r) for r in rows]

    async def validated_of(self, siren: str, role: str) -> list[Membership]:
        rows = await self.conn.fetch(
            "SELECT * FROM memberships WHERE status = 'validated' AND siren = $1 AND role = $2"
            " ORDER BY requested_at",
            siren,
            role,
        )
        return [_membership(r) for r in rows]

    async def invited_for_email(self, email: str) -> list[Membership]:
        rows = await self.conn.fetch(
            "SELECT * FROM memberships WHERE status = 'invited' AND lower(invited_email) = $1",
            email,
        )
        return [_membership(r) for r in rows]

    async def reassign(self, membership_id: UUID, person_id: UUID) -> None:
        await self.conn.execute(
            "UPDATE memberships SET person_id = $2, invited_email = NULL WHERE membership_id = $1",
            membership_id,
            person_id,
        )

    async def audit_of(self, siren: str) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            "SELECT * FROM rights_audit WHERE siren = $1 ORDER BY id", siren
        )
        return [dict(r) for r in rows]


def _membership(row: Any) -> Membership:
    return Membership(
        membership_id=row["membership_id"],
        person_id=row["person_id"],
        siren=row["siren"],
        role=Role(row["role"]),
        status=Status(row["status"]),
        requested_at=row["requested_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
    )
