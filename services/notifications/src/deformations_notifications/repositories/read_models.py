"""SQL of what notifications keeps from other services' events to word and plan its mails:
the highest invitation SEQUENCE seen per session, diagnosis families' labels."""

from __future__ import annotations

from deformations_common.db import Connection


class ReadModelRepository:
    """Session versions and family labels."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def raise_session_version(self, session_id: str, sequence: int) -> int:
        """Keep the highest SEQUENCE seen for a session; return it."""
        highest: int = await self.conn.fetchval(
            """INSERT INTO session_versions VALUES ($1, $2)
               ON CONFLICT (session_id) DO UPDATE
                   SET sequence = GREATEST(session_versions.sequence, EXCLUDED.sequence)
               RETURNING sequence""",
            session_id,
            sequence,
        )
        return highest

    async def remember_family_label(self, code: str, label: str) -> None:
        # Every diagnosis carries its family's label, nearly always unchanged: the row is
        # locked (until commit) only when the label really changes.
        await self.conn.execute(
            """WITH added AS (INSERT INTO family_labels VALUES ($1, $2) ON CONFLICT DO NOTHING)
               UPDATE family_labels SET label = $2 WHERE code = $1 AND label IS DISTINCT FROM $2""",
            code,
            label,
        )

    async def family_labels(self) -> dict[str, str]:
        return {r["code"]: r["label"] for r in await self.conn.fetch("SELECT * FROM family_labels")}
