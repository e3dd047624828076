"""Café cycles, speed-dating plans and the sessions matching scheduled."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)


@dataclass(frozen=True, slots=True)
class SessionRow:
    session_id: UUID
    kind: str
    related_id: UUID
    organiser: str | None
    state: dict[str, Any] | None
    sequence: int
    cancelled_at: datetime | None


class PlanRepository:
    """Café cycles, speed-dating plans and the sessions they scheduled."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def insert_session(self, session: SessionScheduled, *, organiser: str) -> None:
        """Keep the session as published, with who may change it."""
        await self.conn.execute(
            """INSERT INTO sessions (session_id, kind, related_id, starts_at, ends_at,
                                     participants, organiser, state, sequence)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            session.session_id,
            session.kind.value,
            session.related_id,
            session.starts_at,
            session.ends_at,
            session.participants,
            organiser,
            session.model_dump(mode="json"),
            session.sequence,
        )

    async def get_session(self, session_id: UUID, *, lock: bool = False) -> SessionRow | None:
        row = await self.conn.fetchrow(
            """SELECT session_id, kind, related_id, organiser, state, sequence, cancelled_at
               FROM sessions WHERE session_id = $1"""
            + (" FOR UPDATE" if lock else ""),
            session_id,
        )
        if row is None:
            return None
        return SessionRow(
            session_id=row["session_id"],
            kind=row["kind"],
            related_id=row["related_id"],
            organiser=row["organiser"],
            state=row["state"],
            sequence=row["sequence"],
            cancelled_at=row["cancelled_at"],
        )

    async def update_session(
        self, state: SessionRescheduled | SessionCancelled, *, cancelled_at: datetime | None
    ) -> None:
        """Record a change as published: the new full state and its sequence."""
        await self.conn.execute(
            """UPDATE sessions SET starts_at = $2, ends_at = $3, participants = $4, state = $5,
                                   sequence = $6, cancelled_at = $7
               WHERE session_id = $1""",
            state.session_id,
            state.starts_at,
            state.ends_at,
            state.participants,
            state.model_dump(mode="json"),
            state.sequence,
            cancelled_at,
        )

    async def sessions_related(self, related_ids: list[UUID]) -> list[SessionRow]:
        rows = await self.conn.fetch(
            """SELECT session_id, kind, related_id, organiser, state, sequence, cancelled_at
               FROM sessions WHERE related_id = ANY($1::uuid[]) AND state IS NOT NULL
               ORDER BY starts_at""",
            related_ids,
        )
        return [SessionRow(**dict(r.items())) for r in rows]

    async def coming_sessions_of(self, person_id: str, now: datetime) -> list[SessionRow]:
        """The live sessions the person organises or attends that have not ended, soonest
        first."""
        rows = await self.conn.fetch(
            """SELECT session_id, kind, related_id, organiser, state, sequence, cancelled_at
               FROM sessions
               WHERE (organiser = $1 OR $1 = ANY(participants)) AND state IS NOT NULL
                 AND cancelled_at IS NULL AND ends_at > $2
               ORDER BY starts_at, session_id""",
            person_id,
            now,
        )
        return [SessionRow(**dict(r.items())) for r in rows]

    async def people_with(self, person_id: str) -> set[str]:
        """Participants of the live sessions the person organises or attends."""
        rows = await self.conn.fetch(
            """SELECT DISTINCT unnest(participants) AS person_id FROM sessions
               WHERE cancelled_at IS NULL AND (organiser = $1 OR $1 = ANY(participants))""",
            person_id,
        )
        return {r["person_id"] for r in rows}

    async def sessions_of(self, related_id: UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            """SELECT session_id, starts_at, ends_at, sequence, cancelled_at FROM sessions
               WHERE related_id = $1 ORDER BY starts_at""",
            related_id,
        )
        return [dict(r.items()) for r in rows]

    async def last_cafe_pairs(self, siren: str) -> set[frozenset[str]]:
        """The pairs of the collectivité's last cycle: the rotation memory.

        Locks the collectivité's cycles until the transaction ends, so that two cycles planned
        at once do not both start from the same memory."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('cafe:' || $1))", siren)
        rows = await self.conn.fetch(
            """SELECT elu_id, technician_id FROM cafe_pairs WHERE cycle_id = (
                   SELECT cycle_id FROM cafe_cycles WHERE collectivite_siren = $1
                   ORDER BY created_at DESC LIMIT 1)""",
            siren,
        )
        return {frozenset((r["elu_id"], r["technician_id"])) for r in rows}

    async def insert_cafe_cycle(
        self,
        *,
        cycle_id: UUID,
        siren: str,
        first_day: date,
        plan: dict[str, Any],
        pairs: list[tuple[str, str]],
        created_at: datetime,
    ) -> None:
        await self.conn.execute(
            """INSERT INTO cafe_cycles (cycle_id, collectivite_siren, first_day, plan, created_at)
               VALUES ($1, $2, $3, $4, $5)""",
            cycle_id,
            siren,
            first_day,
            plan,
            created_at,
        )
        await self.conn.executemany(
            "INSERT INTO cafe_pairs (cycle_id, elu_id, technician_id) VALUES ($1, $2, $3)",
            [(cycle_id, elu, tech) for elu, tech in pairs],
        )

    async def cafe_cycles_of(self, siren: str, limit: int) -> list[dict[str, Any]]:
        """The collectivité's café cycles, the latest first day first."""
        rows = await self.conn.fetch(
            """SELECT cycle_id, first_day, plan FROM cafe_cycles WHERE collectivite_siren = $1
               ORDER BY first_day DESC, created_at DESC LIMIT $2""",
            siren,
            limit,
        )
        return [dict(r.items()) for r in rows]

    async def get_cafe_cycle(self, cycle_id: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT collectivite_siren, first_day, plan FROM cafe_cycles WHERE cycle_id = $1",
            cycle_id,
        )
        return dict(row.items()) if row else None

    async def add_cafe_topic(self, topic: dict[str, Any]) -> None:
        await self.conn.execute(
            """INSERT INTO cafe_topics (topic_id, cycle_id, person_id, discussed_on, topic,
                                        created_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            topic["topic_id"],
            topic["cycle_id"],
            topic["person_id"],
            topic["discussed_on"],
            topic["topic"],
            topic["created_at"],
        )

    async def cafe_topics(self, cycle_id: UUID) -> list[dict[str, Any]]:
        """The cycle's topics, in the order they were discussed."""
        rows = await self.conn.fetch(
            """SELECT topic_id, cycle_id, person_id, discussed_on, topic, created_at
               FROM cafe_topics WHERE cycle_id = $1 ORDER BY discussed_on, created_at""",
            cycle_id,
        )
        return [dict(r.items()) for r in rows]

    async def save_cafe_review(self, cycle_id: UUID, review: dict[str, Any]) -> None:
        """One review per participant and cycle: answering again replaces it."""
        await self.conn.execute(
            """INSERT INTO cafe_reviews (cycle_id, person_id, scores, free_text, shared,
                                         share_text, answered_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (cycle_id, person_id) DO UPDATE SET
                   scores = EXCLUDED.scores, free_text = EXCLUDED.free_text,
                   shared = EXCLUDED.shared, share_text = EXCLUDED.share_text,
                   answered_at = EXCLUDED.answered_at""",
            cycle_id,
            review["person_id"],
            review["scores"],
            review["free_text"],
            review["shared"],
            review["share_text"],
            review["answered_at"],
        )

    async def cafe_reviews(self, cycle_id: UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            """SELECT person_id, scores, free_text, shared, share_text, answered_at
               FROM cafe_reviews WHERE cycle_id = $1 ORDER BY person_id""",
            cycle_id,
        )
        return [dict(r.items()) for r in rows]

    async def met_in_epci(self, epci_siren: str) -> set[frozenset[str]]:
        """Pairs that already met at an earlier gathering of this EPCI (locked until the end of
        the transaction, so that two plans made at once cannot both repeat a meeting)."""
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('speed:' || $1))", epci_siren
        )
        rows = await self.conn.fetch(
            """SELECT p->>0 AS a, p->>1 AS b FROM speed_datings,
                      jsonb_array_elements(plan->'rounds') r, jsonb_array_elements(r->'pairs') p
               WHERE epci_siren = $1""",
            epci_siren,
        )
        return {frozenset((r["a"], r["b"])) for r in rows}

    async def insert_speed_dating(
        self,
        *,
        gathering_id: UUID,
        epci_siren: str,
        seed: int,
        plan: dict[str, Any],
        created_at: datetime,
    ) -> None:
        await self.conn.execute(
            """INSERT INTO speed_datings (gathering_id, epci_siren, seed, plan, created_at)
               VALUES ($1, $2, $3, $4, $5)""",
            gathering_id,
            epci_siren,
            seed,
            plan,
            created_at,
        )

    async def get_speed_dating(self, gathering_id: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT epci_siren, seed, plan FROM speed_datings WHERE gathering_id = $1", gathering_id
        )
        return dict(row.items()) if row else None

    async def set_marks(
        self, gathering_id: UUID, person_id: str, see_again: list[str], at: datetime
    ) -> None:
        await self.conn.execute(
            """INSERT INTO speed_dating_marks (gathering_id, person_id, see_again, marked_at)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (gathering_id, person_id)
               DO UPDATE SET see_again = EXCLUDED.see_again, marked_at = EXCLUDED.marked_at""",
            gathering_id,
            person_id,
            see_again,
            at,
        )

    async def marks_of(self, gathering_id: UUID) -> dict[str, list[str]]:
        rows = await self.conn.fetch(
            "SELECT person_id, see_again FROM speed_dating_marks WHERE gathering_id = $1",
            gathering_id,
        )
        return {r["person_id"]: list(r["see_again"]) for r in rows}
