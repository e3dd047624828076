"""Idempotent consumption: an event's effect is committed with its inbox row, once."""

from deformations_common.db import Connection


async def claim(conn: Connection, subscription: str, source: str, event_id: str) -> bool:
    """True the first time ``(source, id)`` is seen by ``subscription`` in this transaction."""
    if not conn.is_in_transaction():
        raise RuntimeError("inbox.claim needs the transaction of the effect")
    inserted = await conn.fetchval(
        """INSERT INTO inbox (subscription, source, event_id) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING true""",
        subscription,
        source,
        event_id,
    )
    return bool(inserted)
