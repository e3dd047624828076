"""Sign-in links, OpenID Connect attempts, web sessions and address checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection
from deformations_portal.domain.addresses import StoredCheck
from deformations_portal.domain.links import StoredLink


@dataclass(frozen=True, slots=True)
class WebSession:
    person_id: UUID
    membership_id: UUID | None
    csrf_token: str
    id_token: str | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class OidcAttempt:
    nonce: str
    code_verifier: str
    created_at: datetime


class SignInRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def recent_links(self, *, email: str | None, ip: str | None, since: datetime) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM sign_in_links WHERE created_at >= $3"
            " AND (($1::text IS NOT NULL AND lower(email) = $1)"
            " OR ($2::text IS NOT NULL AND client_ip = $2))",
            email,
            ip,
            since,
        )
        return count

    async def add_link(
        self,
        token_hash: str,
        email: str,
        ip: str,
        at: datetime,
        expires_at: datetime,
        membership_id: UUID | None = None,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO sign_in_links (token_hash, email, client_ip, created_at, expires_at,"
            " membership_id) VALUES ($1, $2, $3, $4, $5, $6)",
            token_hash,
            email,
            ip,
            at,
            expires_at,
            membership_id,
        )

    async def link(self, token_hash: str) -> StoredLink | None:
        row = await self.conn.fetchrow(
            "SELECT email, expires_at, used_at FROM sign_in_links WHERE token_hash = $1 FOR UPDATE",
            token_hash,
        )
        return None if row is None else StoredLink(row["email"], row["expires_at"], row["used_at"])

    async def use_link(self, token_hash: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE sign_in_links SET used_at = $2 WHERE token_hash = $1", token_hash, at
        )

    async def add_attempt(self, state: str, nonce: str, verifier: str, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO oidc_attempts (state, nonce, code_verifier, created_at)"
            " VALUES ($1, $2, $3, $4)",
            state,
            nonce,
            verifier,
            at,
        )

    async def take_attempt(self, state: str) -> OidcAttempt | None:
        """The attempt of this state, removed: a state is good for one callback only."""
        row = await self.conn.fetchrow(
            "DELETE FROM oidc_attempts WHERE state = $1 RETURNING nonce, code_verifier, created_at",
            state,
        )
        return None if row is None else OidcAttempt(row[0], row[1], row[2])

    async def add_session(
        self,
        session_hash: str,
        person_id: UUID,
        csrf: str,
        id_token: str | None,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO web_sessions (session_hash, person_id, csrf_token, id_token,"
            " created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            session_hash,
            person_id,
            csrf,
            id_token,
            at,
            expires_at,
        )

    async def session(self, session_hash: str, now: datetime) -> WebSession | None:
        row = await self.conn.fetchrow(
            "SELECT person_id, membership_id, csrf_token, id_token, expires_at"
            " FROM web_sessions WHERE session_hash = $1 AND expires_at > $2",
            session_hash,
            now,
        )
        return None if row is None else WebSession(*row)

    async def choose_membership(self, session_hash: str, membership_id: UUID) -> None:
        await self.conn.execute(
            "UPDATE web_sessions SET membership_id = $2 WHERE session_hash = $1",
            session_hash,
            membership_id,
        )

    async def end_session(self, session_hash: str) -> None:
        await self.conn.execute("DELETE FROM web_sessions WHERE session_hash = $1", session_hash)

    async def end_sessions_of(self, person_id: UUID) -> int:
        """Every web session of the person, on every device; how many there were."""
        ended: int = await self.conn.fetchval(
            "WITH ended AS (DELETE FROM web_sessions WHERE person_id = $1 RETURNING 1)"
            " SELECT count(*) FROM ended",
            person_id,
        )
        return ended

    async def add_address_check(
        self,
        token_hash: str,
        person_id: UUID,
        email: str,
        preferences: dict[str, Any],
        at: datetime,
        expires_at: datetime,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO address_checks (token_hash, person_id, email, preferences,"
            " created_at, expires_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6)",
            token_hash,
            person_id,
            email,
            preferences,
            at,
            expires_at,
        )

    async def recent_address_checks(self, person_id: UUID, since: datetime) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM address_checks WHERE person_id = $1 AND created_at >= $2",
            person_id,
            since,
        )
        return count

    async def address_check(self, token_hash: str) -> StoredCheck | None:
        row = await self.conn.fetchrow(
            "SELECT person_id, email, preferences, expires_at, used_at"
            " FROM address_checks WHERE token_hash = $1 FOR UPDATE",
            token_hash,
        )
        if row is None:
            return None
        return StoredCheck(row[0], row[1], dict(row[2]), row[3], row[4])

    async def use_address_check(self, token_hash: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE address_checks SET used_at = $2 WHERE token_hash = $1", token_hash, at
        )

    async def signing_key(self) -> tuple[str, str] | None:
        row = await self.conn.fetchrow(
            "SELECT kid, private_pem FROM signing_keys ORDER BY created_at LIMIT 1"
        )
        return None if row is None else (row[0], row[1])

    async def add_signing_key(self, kid: str, pem: str, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO signing_keys (kid, private_pem, created_at) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            kid,
            pem,
            at,
        )
