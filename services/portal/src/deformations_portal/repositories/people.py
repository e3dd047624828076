"""Persons and their login identities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from deformations_common.db import Connection
from deformations_portal.domain.memberships import Membership
from deformations_portal.domain.names import ChosenName
from deformations_portal.repositories.memberships import MembershipRepository


@dataclass(frozen=True, slots=True)
class Identity:
    issuer: str
    subject: str
    person_id: UUID
    email: str | None
    given_name: str | None
    usual_name: str | None
    # Proven hers: an e-mail link went to it, or her identity provider verified it. An
    # invitation's identity is not, until she signs in with the link.
    email_verified: bool = False


class PersonRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, person_id: UUID, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO persons (person_id, created_at) VALUES ($1, $2)", person_id, at
        )

    async def is_active(self, person_id: UUID) -> bool:
        found = await self.conn.fetchval(
            "SELECT erased_at IS NULL FROM persons WHERE person_id = $1", person_id
        )
        return bool(found)

    async def identity(self, issuer: str, subject: str) -> Identity | None:
        row = await self.conn.fetchrow(
            "SELECT i.* FROM login_identities i JOIN persons p USING (person_id)"
            " WHERE issuer = $1 AND subject = $2 AND p.erased_at IS NULL",
            issuer,
            subject,
        )
        return None if row is None else _identity(row)

    async def identities_of(self, person_id: UUID) -> list[Identity]:
        rows = await self.conn.fetch(
            "SELECT * FROM login_identities WHERE person_id = $1 ORDER BY created_at", person_id
        )
        return [_identity(r) for r in rows]

    async def save_identity(self, identity: Identity, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO login_identities (issuer, subject, person_id, email, given_name,"
            " usual_name, email_verified, created_at, last_seen_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7)"
            " ON CONFLICT (issuer, subject) DO UPDATE SET email = EXCLUDED.email,"
            " email_verified = EXCLUDED.email_verified,"
            " given_name = COALESCE(EXCLUDED.given_name, login_identities.given_name),"
            " usual_name = COALESCE(EXCLUDED.usual_name, login_identities.usual_name),"
            " last_seen_at = EXCLUDED.last_seen_at",
            identity.issuer,
            identity.subject,
            identity.person_id,
            identity.email,
            identity.given_name,
            identity.usual_name,
            at,
            identity.email_verified,
        )

    async def chosen_name(self, person_id: UUID) -> ChosenName | None:
        row = await self.conn.fetchrow(
            "SELECT given_name, usual_name FROM person_names WHERE person_id = $1", person_id
        )
        return None if row is None else ChosenName(row["given_name"], row["usual_name"])

    async def choose_name(self, person_id: UUID, name: ChosenName | None, at: datetime) -> None:
        """Her typed name, or None to go back to her identity provider's."""
        if name is None:
            await self.conn.execute("DELETE FROM person_names WHERE person_id = $1", person_id)
            return
        await self.conn.execute(
            "INSERT INTO person_names (person_id, given_name, usual_name, updated_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO UPDATE SET"
            " given_name = EXCLUDED.given_name, usual_name = EXCLUDED.usual_name,"
            " updated_at = EXCLUDED.updated_at",
            person_id,
            name.given_name,
            name.usual_name,
            at,
        )

    async def search(self, text: str, limit: int = 20) -> list[UUID]:
        """People (not erased) whose address or name contains ``text``, case-insensitive."""
        pattern = (
            "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        rows = await self.conn.fetch(
            "SELECT i.person_id, min(i.created_at) AS first FROM login_identities i"
            " JOIN persons p USING (person_id) LEFT JOIN person_names n USING (person_id)"
            " WHERE p.erased_at IS NULL AND ("
            " lower(coalesce(i.email, '')) LIKE $1"
            " OR lower(concat_ws(' ', i.given_name, i.usual_name)) LIKE $1"
            " OR lower(concat_ws(' ', n.given_name, n.usual_name)) LIKE $1)"
            " GROUP BY i.person_id ORDER BY first LIMIT $2",
            pattern,
            limit,
        )
        return [r["person_id"] for r in rows]

    async def email_identities(self) -> list[tuple[str, list[Membership]]]:
        rows = await self.conn.fetch(
            "SELECT i.subject, i.person_id FROM login_identities i JOIN persons p"
            " USING (person_id) WHERE i.issuer = 'email' AND p.erased_at IS NULL"
            " ORDER BY i.created_at LIMIT 50"
        )
        memberships = MembershipRepository(self.conn)
        return [
            (
                row["subject"],
                [m for m in await memberships.of_person(row["person_id"]) if m.validated],
            )
            for row in rows
        ]

    async def anonymise(self, person_id: UUID, at: datetime) -> None:
        """Erasure: identities and her typed name (the only personal data) go; the
        pseudonymous id stays."""
        await self.conn.execute("DELETE FROM login_identities WHERE person_id = $1", person_id)
        await self.conn.execute("DELETE FROM person_names WHERE person_id = $1", person_id)
        await self.conn.execute("DELETE FROM web_sessions WHERE person_id = $1", person_id)
        await self.conn.execute("DELETE FROM address_checks WHERE person_id = $1", person_id)
        await self.conn.execute(
            "UPDATE persons SET erased_at = $2 WHERE person_id = $1", person_id, at
        )
        await self.conn.execute(
            "UPDATE memberships SET invited_email = NULL WHERE person_id = $1", person_id
        )


def _identity(row: object) -> Identity:
    r = dict(row)  # type: ignore[call-overload]
    return Identity(
        r["issuer"],
        r["subject"],
        r["person_id"],
        r["email"],
        r["given_name"],
        r["usual_name"],
        r["email_verified"],
    )
