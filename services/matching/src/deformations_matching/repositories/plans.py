"""Café cycles, speed-dating plans and the sessions matching scheduled."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection


class PlanRepository:
    """Café cycles, speed-dating plans and the sessions they scheduled."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def insert_session(
        self,
        *,
        session_id: UUID,
        kind: str,
        related_id: UUID,
        starts_at: datetime,
        ends_at: datetime,
        participants: list[str],
    ) -> None:
        await self.conn.execute(
            """INSERT INTO sessions (session_id, kind, related_id, starts_at, ends_at, participants)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            session_id,
            kind,
            related_id,
            starts_at,
            ends_at,
            participants,
        )

    async def sessions_of(self, related_id: UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            """SELECT session_id, starts_at, ends_at FROM sessions
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

    async def get_cafe_cycle(self, cycle_id: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT collectivite_siren, plan FROM cafe_cycles WHERE cycle_id = $1", cycle_id
        )
        return dict(row.items()) if row else None

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
