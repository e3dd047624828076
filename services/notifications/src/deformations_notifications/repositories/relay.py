"""SQL of the contact relay: threads between two people and their messages."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from deformations_common.db import Connection
from deformations_notifications.domain.relay import RelayMessage, RelayThread


async def open_thread(conn: Connection, thread: RelayThread, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO relay_threads VALUES ($1, $2, $3, $4)",
        thread.id,
        thread.initiator,
        thread.counterpart,
        now,
    )


async def thread(conn: Connection, thread_id: str) -> RelayThread | None:
    row = await conn.fetchrow("SELECT * FROM relay_threads WHERE id = $1", thread_id)
    if row is None:
        return None
    return RelayThread(row["id"], row["initiator"], row["counterpart"])


async def add_message(conn: Connection, message: RelayMessage) -> UUID:
    message_id = uuid4()
    await conn.execute(
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


async def erase_person(conn: Connection, person_id: str) -> None:
    """Threads the person took part in go with all their messages."""
    await conn.execute(
        "DELETE FROM relay_threads WHERE initiator = $1 OR counterpart = $1", person_id
    )
