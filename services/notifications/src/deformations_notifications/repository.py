"""SQL of the notifications schema."""

from typing import Any
from uuid import uuid4

from deformations_common.db import Connection
from deformations_notifications.domain.dedup import DedupKey


async def record_pending(
    conn: Connection, key: DedupKey, *, event_type: str, payload: dict[str, Any]
) -> bool:
    """Record a notification to send; ``False`` when its key was already recorded."""
    inserted = await conn.fetchval(
        """INSERT INTO notifications (id, dedup_key, event_source, event_id, event_type,
                                      recipient_id, channel, payload)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (dedup_key) DO NOTHING RETURNING true""",
        uuid4(),
        key.value,
        key.event_source,
        key.event_id,
        event_type,
        key.recipient,
        key.channel.value,
        payload,
    )
    return bool(inserted)


async def list_for_recipient(conn: Connection, recipient_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT id, event_type, channel, status, payload, created_at FROM notifications
           WHERE recipient_id = $1 ORDER BY created_at DESC LIMIT 200""",
        recipient_id,
    )
    return [dict(r.items()) for r in rows]


async def erase_recipient(conn: Connection, recipient_id: str) -> None:
    await conn.execute("DELETE FROM notifications WHERE recipient_id = $1", recipient_id)
