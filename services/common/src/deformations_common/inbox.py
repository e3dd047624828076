"""Idempotent consumption: an event's effect is committed with its inbox row, once."""

from collections.abc import Sequence

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


async def claim_many(
    conn: Connection, subscription: str, keys: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The ``(source, id)`` keys seen for the first time, claimed in one statement."""
    if not conn.is_in_transaction():
        raise RuntimeError("inbox.claim_many needs the transaction of the effects")
    rows = await conn.fetch(
        """INSERT INTO inbox (subscription, source, event_id)
           SELECT $1, source, event_id FROM unnest($2::text[], $3::text[]) AS k(source, event_id)
           ON CONFLICT DO NOTHING RETURNING source, event_id""",
        subscription,
        [source for source, _ in keys],
        [event_id for _, event_id in keys],
    )
    return {(row["source"], row["event_id"]) for row in rows}
