"""SQL of the contact relay: threads between two people and their messages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from deformations_common.db import Connection
from deformations_notifications.domain.contexts import SharedContext
from deformations_notifications.domain.relay import RelayMessage, RelayThread


class RelayRepository:
    """Relay threads and messages."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def open_thread(self, thread: RelayThread, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO relay_threads VALUES ($1, $2, $3, $4)",
            thread.id,
            thread.initiator,
            thread.counterpart,
            now,
        )

    async def thread(self, thread_id: str) -> RelayThread | None:
        row = await self.conn.fetchrow("SELECT * FROM relay_threads WHERE id = $1", thread_id)
        if row is None:
            return None
        return RelayThread(row["id"], row["initiator"], row["counterpart"])

    async def last_message_at(self, thread_id: str) -> datetime | None:
        """When the thread's latest message was sent (its opening if none)."""
        latest: datetime | None = await self.conn.fetchval(
            """SELECT coalesce(max(m.sent_at), t.created_at)
               FROM relay_threads t LEFT JOIN relay_messages m ON m.thread_id = t.id
               WHERE t.id = $1 GROUP BY t.created_at""",
            thread_id,
        )
        return latest

    async def recent_activity(self, sender: str, now: datetime) -> tuple[int, int]:
        """(messages sent in the last hour, conversations opened in the last day) by
        ``sender``; the sender's other requests wait until this transaction ends, so that
        two at once cannot both pass a limit."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('relay:' || $1))", sender)
        row = await self.conn.fetchrow(
            """SELECT (SELECT count(*) FROM relay_messages
                       WHERE sender = $1 AND sent_at > $2::timestamptz - interval '1 hour')
                           AS messages,
                      (SELECT count(*) FROM relay_threads
                       WHERE initiator = $1 AND created_at > $2::timestamptz - interval '1 day')
                           AS threads""",
            sender,
            now,
        )
        assert row is not None
        return int(row["messages"]), int(row["threads"])

    async def add_message(self, message: RelayMessage) -> UUID:
        message_id = uuid4()
        await self.conn.execute(
            "INSERT INTO relay_messages VALUES ($1, $2, $3, $4, $5, $6, $7)",
            message_id,
            message.thread_id,
            message.sender,
            message.recipient,
            message.subject,
            message.body,
            message.sent_at,
        )
        return message_id

    async def erase_person(self, person_id: str) -> None:
        """Threads the person took part in go with all their messages (and reports), her
        contexts, and a block on her, as the person does."""
        await self.conn.execute(
            "DELETE FROM relay_threads WHERE initiator = $1 OR counterpart = $1", person_id
        )
        await self.conn.execute("DELETE FROM relay_contexts WHERE person_id = $1", person_id)
        await self.conn.execute("DELETE FROM relay_blocked_senders WHERE person_id = $1", person_id)

    async def add_to_context(self, context: SharedContext) -> None:
        await self.conn.execute(
            """INSERT INTO relay_contexts (context, person_id, siren)
               SELECT $1, p, NULL FROM unnest($2::text[]) AS p
               UNION ALL SELECT $1, NULL, s FROM unnest($3::text[]) AS s
               ON CONFLICT DO NOTHING""",
            context.key,
            sorted(context.people),
            sorted(context.sirens),
        )

    async def share_a_context(
        self,
        sender: str,
        sender_sirens: Iterable[str],
        recipient: str,
        recipient_sirens: Iterable[str],
    ) -> bool:
        """Whether the two people (or collectivités they are registered for) are members of
        one same context."""
        shared: bool = await self.conn.fetchval(
            """SELECT EXISTS (
                   SELECT 1 FROM relay_contexts mine JOIN relay_contexts theirs USING (context)
                   WHERE (mine.person_id = $1 OR mine.siren = ANY($2::text[]))
                     AND (theirs.person_id = $3 OR theirs.siren = ANY($4::text[])))""",
            sender,
            list(sender_sirens),
            recipient,
            list(recipient_sirens),
        )
        return shared

    async def is_blocked(self, person_id: str) -> bool:
        found = await self.conn.fetchval(
            "SELECT 1 FROM relay_blocked_senders WHERE person_id = $1", person_id
        )
        return found is not None

    async def add_report(
        self, thread_id: str, reporter: str, reported: str, reason: str, now: datetime
    ) -> UUID:
        report_id = uuid4()
        await self.conn.execute(
            """INSERT INTO relay_reports (id, thread_id, reporter, reported, reason, created_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            report_id,
            thread_id,
            reporter,
            reported,
            reason,
            now,
        )
        return report_id

    async def open_reports(self, limit: int) -> list[dict[str, Any]]:
        """Open reports, oldest first, with the reported person's latest message of the
        thread (the reporter showed it to the operators by reporting)."""
        rows = await self.conn.fetch(
            """SELECT r.id, r.thread_id, r.reporter, r.reported, r.reason, r.created_at,
                      m.subject, m.body, m.sent_at
               FROM relay_reports r
               LEFT JOIN LATERAL (
                   SELECT subject, body, sent_at FROM relay_messages
                   WHERE thread_id = r.thread_id AND sender = r.reported
                   ORDER BY sent_at DESC LIMIT 1) m ON true
               WHERE r.closed_at IS NULL ORDER BY r.created_at LIMIT $1""",
            limit,
        )
        return [dict(r.items()) for r in rows]

    async def report(self, report_id: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT id, reported, closed_at FROM relay_reports WHERE id = $1 FOR UPDATE",
            report_id,
        )
        return dict(row.items()) if row else None

    async def block(self, person_id: str, reason: str, by: str, now: datetime) -> None:
        """Block a sender and close every open report about them."""
        await self.conn.execute(
            """INSERT INTO relay_blocked_senders VALUES ($1, $2, $3, $4)
               ON CONFLICT (person_id) DO NOTHING""",
            person_id,
            reason,
            by,
            now,
        )
        await self.conn.execute(
            """UPDATE relay_reports SET closed_at = $2, outcome = 'blocked'
               WHERE reported = $1 AND closed_at IS NULL""",
            person_id,
            now,
        )

    async def dismiss(self, report_id: UUID, now: datetime) -> None:
        await self.conn.execute(
            """UPDATE relay_reports SET closed_at = $2, outcome = 'dismissed'
               WHERE id = $1 AND closed_at IS NULL""",
            report_id,
            now,
        )
