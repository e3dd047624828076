"""The operators' journal (append-only)."""

from __future__ import annotations

from typing import Any

from deformations_common.db import Connection
from deformations_portal.domain.operator import (
    JOURNAL_PAGE_SIZE,
    JournalAction,
    JournalEntry,
    JournalFilter,
)


class JournalRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, entry: JournalEntry) -> None:
        await self.conn.execute(
            "INSERT INTO operator_journal (at, actor, action, subject, siren, reason)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            entry.at,
            entry.actor,
            entry.action.value,
            entry.subject,
            entry.siren,
            entry.reason,
        )

    async def page(self, chosen: JournalFilter) -> tuple[list[JournalEntry], int]:
        """One page of the journal, newest first, and how many entries match in all."""
        where = "($1::text IS NULL OR action = $1) AND ($2::text IS NULL OR siren = $2)"
        action = None if chosen.action is None else chosen.action.value
        total = await self.conn.fetchval(
            f"SELECT count(*) FROM operator_journal WHERE {where}", action, chosen.siren
        )
        rows = await self.conn.fetch(
            f"SELECT * FROM operator_journal WHERE {where}"
            " ORDER BY at DESC, id DESC LIMIT $3 OFFSET $4",
            action,
            chosen.siren,
            JOURNAL_PAGE_SIZE,
            chosen.offset,
        )
        return [_entry(r) for r in rows], int(total or 0)


def _entry(row: Any) -> JournalEntry:
    return JournalEntry(
        at=row["at"],
        actor=row["actor"],
        action=JournalAction(row["action"]),
        subject=row["subject"],
        siren=row["siren"],
        reason=row["reason"],
    )
