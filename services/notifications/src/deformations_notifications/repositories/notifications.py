"""SQL of notifications: one row per (event, recipient, channel), from planned to sent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from deformations_common.db import Connection
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.outcome import without_addresses

COLUMNS = """id, event_type, template, channel, status, skip_reason, payload, item_key,
             occurred_at, send_at, batched, attempts, next_attempt_at, last_error, sent_at,
             created_at, recipient_id"""


def _qualified(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class NewNotification:
    key: DedupKey
    event_type: str
    template: str
    item_key: str
    occurred_at: datetime
    payload: dict[str, Any]
    send_at: datetime | None  # None: waits for the person's registration or consent
    batched: bool = False
    status: str = "pending"
    skip_reason: str | None = None


class NotificationRepository:
    """Notifications from planned to sent, and the read models planning needs."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(self, n: NewNotification) -> bool:
        """Record a notification; ``False`` when its dedup key was already recorded."""
        inserted = await self.conn.fetchval(
            """INSERT INTO notifications (id, dedup_key, event_source, event_id, event_type,
                    recipient_id, channel, payload, template, item_key, occurred_at, send_at,
                    batched, status, skip_reason)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
               ON CONFLICT (dedup_key) DO NOTHING RETURNING true""",
            uuid4(),
            n.key.value,
            n.key.event_source,
            n.key.event_id,
            n.event_type,
            n.key.recipient,
            n.key.channel.value,
            n.payload,
            n.template,
            n.item_key,
            n.occurred_at,
            n.send_at,
            n.batched,
            n.status,
            n.skip_reason,
        )
        return bool(inserted)

    async def list_for_recipient(self, recipient_id: str) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            f"""SELECT {COLUMNS} FROM notifications WHERE recipient_id = $1
                ORDER BY created_at DESC LIMIT 200""",
            recipient_id,
        )
        return [dict(r.items()) for r in rows]

    async def list_by_status(self, status: str, limit: int) -> list[dict[str, Any]]:
        """For operators: no payload (it may hold a relayed message), no contact details."""
        rows = await self.conn.fetch(
            """SELECT id, event_type, template, recipient_id, status, skip_reason, attempts,
                      next_attempt_at, last_error, send_at, sent_at, created_at
               FROM notifications WHERE status = $1 ORDER BY created_at DESC LIMIT $2""",
            status,
            limit,
        )
        return [dict(r.items()) for r in rows]

    async def unsent_for(self, recipient_id: str) -> list[dict[str, Any]]:
        """Notifications not tried yet: waiting for the person, or planned under older
        preferences."""
        rows = await self.conn.fetch(
            f"""SELECT {COLUMNS} FROM notifications
                WHERE recipient_id = $1 AND status = 'pending' AND attempts = 0
                ORDER BY occurred_at FOR UPDATE""",
            recipient_id,
        )
        return [dict(r.items()) for r in rows]

    async def schedule(self, ids: Sequence[UUID], send_at: datetime, batched: bool) -> None:
        await self.conn.execute(
            """UPDATE notifications SET send_at = $2, batched = $3, skip_reason = NULL
               WHERE id = ANY($1)""",
            list(ids),
            send_at,
            batched,
        )

    async def claim_due(
        self, now: datetime, limit: int, lease_until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Notifications to send on their own, locked for this sender (other replicas skip
        them); with ``lease_until``, they stay this sender's until then, after the commit."""
        rows = await self.conn.fetch(
            f"""WITH due AS (
                    SELECT id FROM notifications
                    WHERE status = 'pending' AND NOT batched AND send_at <= $1
                      AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
                      AND (claimed_until IS NULL OR claimed_until <= $1)
                    ORDER BY send_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                UPDATE notifications n SET claimed_until = COALESCE($3, n.claimed_until)
                FROM due WHERE n.id = due.id
                RETURNING {_qualified("n")}""",
            now,
            limit,
            lease_until,
        )
        return sorted((dict(r.items()) for r in rows), key=lambda r: r["send_at"])

    async def digest_recipients(self, now: datetime, limit: int) -> list[str]:
        rows = await self.conn.fetch(
            """SELECT DISTINCT recipient_id FROM notifications
               WHERE status = 'pending' AND batched AND send_at <= $1
                 AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
                 AND (claimed_until IS NULL OR claimed_until <= $1)
               LIMIT $2""",
            now,
            limit,
        )
        return [r["recipient_id"] for r in rows]

    async def claim_digest(
        self, recipient_id: str, now: datetime, lease_until: datetime | None = None
    ) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            f"""WITH due AS (
                    SELECT id FROM notifications
                    WHERE recipient_id = $1 AND status = 'pending' AND batched
                      AND send_at <= $2
                      AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
                      AND (claimed_until IS NULL OR claimed_until <= $2)
                    FOR UPDATE SKIP LOCKED)
                UPDATE notifications n SET claimed_until = COALESCE($3, n.claimed_until)
                FROM due WHERE n.id = due.id
                RETURNING {_qualified("n")}""",
            recipient_id,
            now,
            lease_until,
        )
        return sorted((dict(r.items()) for r in rows), key=lambda r: r["occurred_at"], reverse=True)

    async def told_of_peer_call(
        self, people: Iterable[str], call_id: str, templates: Sequence[str]
    ) -> set[str]:
        """Those of ``people`` already told of a peer group formed from this appel à pairs
        by a mail of one of these ``templates``."""
        rows = await self.conn.fetch(
            """SELECT DISTINCT recipient_id FROM notifications
               WHERE recipient_id = ANY($1::text[]) AND template = ANY($3::text[])
                 AND payload->>'peer_call_id' = $2""",
            sorted(people),
            call_id,
            list(templates),
        )
        return {r["recipient_id"] for r in rows}

    async def last_sent(self, template: str, item_key: str, recipient_id: str) -> datetime | None:
        """When a mail of this item last went (or started going) to this person."""
        last: datetime | None = await self.conn.fetchval(
            """SELECT max(COALESCE(sent_at, handed_over_at)) FROM notifications
               WHERE template = $1 AND item_key = $2 AND recipient_id = $3
                 AND status IN ('sent', 'sending')""",
            template,
            item_key,
            recipient_id,
        )
        return last

    async def hand_over(self, ids: Sequence[UUID], now: datetime, message_id: str) -> int:
        """Record that a mail is about to be handed to SMTP, before it is: a crash from
        now on leaves it 'sending' with its Message-ID, and nothing else of the batch."""
        status = await self.conn.execute(
            """UPDATE notifications SET status = 'sending', handed_over_at = $2,
                      handovers = handovers + 1, message_id = $3
               WHERE id = ANY($1) AND status IN ('pending', 'sending')""",
            list(ids),
            now,
            message_id,
        )
        return int(status.split()[-1])

    async def in_doubt(self, before: datetime, limit: int) -> list[dict[str, Any]]:
        """Mails handed to SMTP before ``before`` and never recorded after: their sender died."""
        rows = await self.conn.fetch(
            f"""SELECT {COLUMNS}, message_id, handovers FROM notifications
                WHERE status = 'sending' AND handed_over_at <= $1
                ORDER BY handed_over_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
            before,
            limit,
        )
        return [dict(r.items()) for r in rows]

    async def mark_sent(
        self, ids: Sequence[UUID], now: datetime, digest_id: UUID | None = None
    ) -> None:
        await self.conn.execute(
            """UPDATE notifications SET status = 'sent', sent_at = $2, attempts = attempts + 1,
                      next_attempt_at = NULL, digest_id = $3,
                      claimed_until = NULL
               WHERE id = ANY($1)""",
            list(ids),
            now,
            digest_id,
        )

    async def mark_attempt(
        self,
        ids: Sequence[UUID],
        *,
        status: str,
        attempts: int,
        next_attempt_at: datetime | None,
        error: str,
    ) -> None:
        await self.conn.execute(
            """UPDATE notifications SET status = $2, attempts = $3, next_attempt_at = $4,
                      last_error = $5, claimed_until = NULL
               WHERE id = ANY($1)""",
            list(ids),
            status,
            attempts,
            next_attempt_at,
            without_addresses(error)[:500],
        )

    async def retry_failed(self, notification_id: UUID, now: datetime) -> bool:
        """Give a failed notification a fresh set of attempts, from now."""
        status = await self.conn.execute(
            """UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = NULL,
                      send_at = LEAST(COALESCE(send_at, $2), $2)
               WHERE id = $1 AND status = 'failed'""",
            notification_id,
            now,
        )
        return status.endswith(" 1")

    async def mark_skipped(self, ids: Sequence[UUID], reason: str) -> None:
        await self.conn.execute(
            "UPDATE notifications SET status = 'skipped', skip_reason = $2 WHERE id = ANY($1)",
            list(ids),
            reason,
        )

    async def skip_unsent(self, ids: Sequence[UUID], reason: str) -> int:
        """Skip those of ``ids`` not sent nor given up on yet (another sender may have
        taken them since they were claimed)."""
        status = await self.conn.execute(
            """UPDATE notifications SET status = 'skipped', skip_reason = $2
               WHERE id = ANY($1) AND status IN ('pending', 'sending')""",
            list(ids),
            reason,
        )
        return int(status.split()[-1])

    async def counts(self) -> dict[str, int]:
        rows = await self.conn.fetch(
            "SELECT status, count(*) AS n FROM notifications GROUP BY status"
        )
        return {r["status"]: r["n"] for r in rows}

    async def erase_recipient(self, recipient_id: str) -> None:
        await self.conn.execute("DELETE FROM notifications WHERE recipient_id = $1", recipient_id)

    async def supersede_older_invitations(self, session_id: str, sequence: int) -> int:
        """Invitations of a session not sent yet and older than ``sequence`` will not be sent."""
        status = await self.conn.execute(
            """UPDATE notifications SET status = 'skipped', skip_reason = 'superseded'
               WHERE status = 'pending' AND attempts = 0 AND event_type LIKE 'session.%'
                 AND payload->>'session_id' = $1 AND (payload->>'sequence')::int < $2""",
            session_id,
            sequence,
        )
        return int(status.split()[-1])

    async def supersede_older_states(
        self, template: str, item_key: str, occurred_at: datetime
    ) -> bool:
        """For news that only matter in their latest state (a team's collective result): the
        older ones not sent yet will not be; True when a newer one was already recorded.

        Two states handled at the same instant by two consumers may both go: a harmless extra
        mail, never a lost one."""
        await self.conn.execute(
            """UPDATE notifications SET status = 'skipped', skip_reason = 'superseded'
               WHERE status = 'pending' AND attempts = 0 AND template = $1 AND item_key = $2
                 AND occurred_at < $3""",
            template,
            item_key,
            occurred_at,
        )
        newer: bool = await self.conn.fetchval(
            """SELECT EXISTS (SELECT 1 FROM notifications
                              WHERE template = $1 AND item_key = $2 AND occurred_at > $3)""",
            template,
            item_key,
            occurred_at,
        )
        return newer
