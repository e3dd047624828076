"""The facts table: recorded, removed, and counted per commune and category."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from deformations_common.db import Connection
from deformations_statistics.domain.facts import Fact
from deformations_statistics.domain.indicators import Indicator
from deformations_statistics.domain.places import Location
from deformations_statistics.domain.tables import Tally


class FactRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(self, facts: Sequence[Fact], at: datetime) -> None:
        await self.conn.executemany(
            """
            INSERT INTO facts (indicator, key, category, category_label, commune_insee,
                               region, departement, epci, size, value, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (indicator, key) DO UPDATE SET
                category = EXCLUDED.category, category_label = EXCLUDED.category_label,
                commune_insee = EXCLUDED.commune_insee, region = EXCLUDED.region,
                departement = EXCLUDED.departement, epci = EXCLUDED.epci,
                size = EXCLUDED.size, value = EXCLUDED.value,
                recorded_at = EXCLUDED.recorded_at
            """,
            [
                (
                    f.indicator.value,
                    f.key,
                    f.category,
                    f.category_label,
                    f.location.commune_insee,
                    f.location.region,
                    f.location.departement,
                    f.location.epci,
                    f.location.size,
                    f.value,
                    at,
                )
                for f in facts
            ],
        )

    async def remove(self, indicator: Indicator, key: str) -> None:
        await self.conn.execute(
            "DELETE FROM facts WHERE indicator = $1 AND key = $2", indicator.value, key
        )

    async def tallies(self, indicator: Indicator, within: list[str] | None = None) -> list[Tally]:
        """``within``: only the facts of these départements."""
        rows = await self.conn.fetch(
            """
            SELECT commune_insee, region, departement, epci, size, category,
                   max(category_label) AS category_label,
                   count(*) AS n, coalesce(sum(value), 0) AS total
            FROM facts WHERE indicator = $1 AND ($2::text[] IS NULL OR departement = ANY($2))
            GROUP BY commune_insee, region, departement, epci, size, category
            """,
            indicator.value,
            within,
        )
        return [
            Tally(
                Location(r["commune_insee"], r["region"], r["departement"], r["epci"], r["size"]),
                r["category"],
                int(r["n"]),
                int(r["total"]),
                r["category_label"],
            )
            for r in rows
        ]

    async def last_change(self) -> datetime | None:
        changed: datetime | None = await self.conn.fetchval("SELECT max(recorded_at) FROM facts")
        return changed
