"""Appels à pairs, groupes d'entraide and their members' answers."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from deformations_common.db import Connection


@dataclass(frozen=True)
class CallRow:
    call_id: UUID
    person_id: str
    theme: str
    problem: str
    anonymous: bool
    commune_insee: str | None
    family: str
    axes: list[float]
    time_slots: list[str]
    modality: str
    in_network: bool
    status: str
    created_at: datetime
    joins: UUID | None = None  # the call this one answers, by « Rejoindre »
    # Set while an operator keeps the call out of public lists and recruitment.
    hidden_reason: str | None = None
    hidden_at: datetime | None = None

    @property
    def hidden(self) -> bool:
        return self.hidden_reason is not None


@dataclass(frozen=True)
class GroupRow:
    group_id: UUID
    call_id: UUID
    theme: str
    anonymous: bool
    min_size: int
    slots: list[str]
    modalities: list[str]
    reasons: list[str]
    scheduled: bool
    answers: dict[str, str]
    caller: str | None = None


_CALL = """call_id, person_id, theme, problem, anonymous, commune_insee, family, axes,
           time_slots, modality, in_network, status, created_at, joins, hidden_reason,
           hidden_at"""


class PeerRepository:
    """Appels à pairs, groupes d'entraide and their members' answers."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def insert_call(self, call: CallRow) -> None:
        await self.conn.execute(
            """INSERT INTO peer_calls (call_id, person_id, theme, problem, anonymous, commune_insee,
                                       family, axes, time_slots, modality, in_network, status,
                                       created_at, joins)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
            call.call_id,
            call.person_id,
            call.theme,
            call.problem,
            call.anonymous,
            call.commune_insee,
            call.family,
            call.axes,
            call.time_slots,
            call.modality,
            call.in_network,
            call.status,
            call.created_at,
            call.joins,
        )

    async def get_call(self, call_id: UUID, *, lock: bool = False) -> CallRow | None:
        row = await self.conn.fetchrow(
            f"SELECT {_CALL} FROM peer_calls WHERE call_id = $1" + (" FOR UPDATE" if lock else ""),
            call_id,
        )
        return CallRow(**dict(row.items())) if row else None

    async def open_calls(
        self, theme: str | None, limit: int, *, shown_to: str | None = None
    ) -> list[CallRow]:
        """Open calls, hidden ones left out except for their author ``shown_to``."""
        rows = await self.conn.fetch(
            f"""SELECT {_CALL} FROM peer_calls
                WHERE status = 'open' AND ($1::text IS NULL OR theme = $1)
                  AND (hidden_reason IS NULL OR person_id = $3)
                ORDER BY created_at, call_id LIMIT $2""",
            theme,
            limit,
            shown_to,
        )
        return [CallRow(**dict(r.items())) for r in rows]

    async def recent_calls(self, limit: int) -> list[CallRow]:
        """The newest calls not withdrawn, hidden or not: the moderation queue."""
        rows = await self.conn.fetch(
            f"""SELECT {_CALL} FROM peer_calls WHERE status <> 'withdrawn'
                ORDER BY created_at DESC, call_id LIMIT $1""",
            limit,
        )
        return [CallRow(**dict(r.items())) for r in rows]

    async def set_hidden(self, call_id: UUID, reason: str | None, at: datetime | None) -> None:
        """Hide a call with its reason, or show it again (both None)."""
        await self.conn.execute(
            "UPDATE peer_calls SET hidden_reason = $2, hidden_at = $3 WHERE call_id = $1",
            call_id,
            reason,
            at,
        )

    async def join_of(self, call_id: UUID, person_id: str) -> CallRow | None:
        """The call by which ``person_id`` joined ``call_id``, whatever its status."""
        row = await self.conn.fetchrow(
            f"SELECT {_CALL} FROM peer_calls WHERE joins = $1 AND person_id = $2",
            call_id,
            person_id,
        )
        return CallRow(**dict(row.items())) if row else None

    async def open_joins(self, call_id: UUID) -> list[CallRow]:
        """The open calls joining ``call_id``, first joined first."""
        rows = await self.conn.fetch(
            f"""SELECT {_CALL} FROM peer_calls WHERE joins = $1 AND status = 'open'
                ORDER BY created_at, call_id""",
            call_id,
        )
        return [CallRow(**dict(r.items())) for r in rows]

    async def busy_people(self, theme: str) -> list[str]:
        """People already in a group of this theme that did not decline."""
        rows = await self.conn.fetch(
            """SELECT DISTINCT m.person_id FROM peer_group_members m
               JOIN peer_groups g USING (group_id)
               WHERE g.theme = $1 AND m.answer IN ('pending', 'accepted') AND NOT g.closed""",
            theme,
        )
        return [r["person_id"] for r in rows]

    async def set_call_status(self, call_ids: list[UUID], status: str) -> None:
        await self.conn.execute(
            "UPDATE peer_calls SET status = $2 WHERE call_id = ANY($1::uuid[])", call_ids, status
        )

    async def calls_of(self, theme: str, people: list[str]) -> list[UUID]:
        rows = await self.conn.fetch(
            """SELECT call_id FROM peer_calls
               WHERE theme = $1 AND person_id = ANY($2::text[]) AND status = 'open'""",
            theme,
            people,
        )
        return [r["call_id"] for r in rows]

    async def insert_group(self, group: GroupRow, created_at: datetime) -> None:
        await self.conn.execute(
            """INSERT INTO peer_groups (group_id, call_id, theme, anonymous, min_size, slots,
                                        modalities, reasons, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            group.group_id,
            group.call_id,
            group.theme,
            group.anonymous,
            group.min_size,
            group.slots,
            group.modalities,
            group.reasons,
            created_at,
        )
        await self.conn.executemany(
            "INSERT INTO peer_group_members (group_id, person_id, answer) VALUES ($1, $2, $3)",
            [(group.group_id, person, answer) for person, answer in group.answers.items()],
        )

    async def groups_of_calls(self, call_ids: list[UUID]) -> dict[UUID, UUID]:
        """The group formed from each of these appels à pairs (one group per call)."""
        rows = await self.conn.fetch(
            "SELECT call_id, group_id FROM peer_groups WHERE call_id = ANY($1::uuid[])",
            call_ids,
        )
        return {r["call_id"]: r["group_id"] for r in rows}

    async def get_group(self, group_id: UUID, *, lock: bool = False) -> GroupRow | None:
        row = await self.conn.fetchrow(
            """SELECT g.group_id, g.call_id, g.theme, g.anonymous, g.min_size, g.slots,
                      g.modalities, g.reasons, g.scheduled, c.person_id AS caller
               FROM peer_groups g JOIN peer_calls c USING (call_id) WHERE g.group_id = $1"""
            + (" FOR UPDATE OF g" if lock else ""),
            group_id,
        )
        if row is None:
            return None
        answers = await self.conn.fetch(
            "SELECT person_id, answer FROM peer_group_members WHERE group_id = $1", group_id
        )
        return GroupRow(**dict(row.items()), answers={a["person_id"]: a["answer"] for a in answers})

    async def set_answer(self, group_id: UUID, person_id: str, answer: str) -> None:
        await self.conn.execute(
            "UPDATE peer_group_members SET answer = $3 WHERE group_id = $1 AND person_id = $2",
            group_id,
            person_id,
            answer,
        )

    async def give_up(self, group: GroupRow) -> None:
        """Close a group that lost too many members; its members' calls open again."""
        await self.conn.execute(
            "UPDATE peer_groups SET closed = true WHERE group_id = $1", group.group_id
        )
        await self.conn.execute(
            """UPDATE peer_calls SET status = 'open'
               WHERE status = 'grouped' AND theme = $1
                 AND (call_id = $2 OR person_id = ANY($3::text[]))""",
            group.theme,
            group.call_id,
            [p for p, a in group.answers.items() if a != "left"],
        )

    async def add_members(self, group_id: UUID, people: list[str], slots: list[str]) -> None:
        """Replacements join as pending; the group's common slots narrow to theirs."""
        await self.conn.executemany(
            """INSERT INTO peer_group_members (group_id, person_id, answer)
               VALUES ($1, $2, 'pending')""",
            [(group_id, p) for p in people],
        )
        await self.conn.execute(
            "UPDATE peer_groups SET slots = $2 WHERE group_id = $1", group_id, slots
        )

    async def mark_scheduled(self, group_id: UUID) -> None:
        await self.conn.execute(
            "UPDATE peer_groups SET scheduled = true WHERE group_id = $1", group_id
        )

    async def co_members(self, person_id: str) -> set[str]:
        """People sharing a live peer group with the person (neither declined nor left)."""
        rows = await self.conn.fetch(
            """SELECT DISTINCT o.person_id FROM peer_group_members m
               JOIN peer_groups g USING (group_id)
               JOIN peer_group_members o ON o.group_id = m.group_id
               WHERE m.person_id = $1 AND NOT g.closed
                 AND m.answer IN ('pending', 'accepted') AND o.answer IN ('pending', 'accepted')""",
            person_id,
        )
        return {r["person_id"] for r in rows}
