"""Diagnoses of élus, as diagnosis published them (a read model)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection


@dataclass(frozen=True)
class DiagnosisRow:
    person_id: str
    commune_insee: str | None
    departement: str | None
    family: str
    axis_scores: dict[str, float]
    priority_themes: list[str]
    time_slots: list[str]
    modality: str
    half_days_per_month: int
    next_steps: list[dict[str, Any]]


_DIAGNOSIS_COLUMNS = """person_id, commune_insee, departement, family, axis_scores,
                        priority_themes, time_slots, modality, half_days_per_month, next_steps"""


class DiagnosisRepository:
    """Diagnoses of the read model (anonymous ones detached from any person)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def upsert_diagnosis(
        self,
        *,
        response_id: UUID,
        person_id: str | None,
        collectivite_siren: str | None,
        commune_insee: str | None,
        departement: str | None,
        family: str,
        axis_scores: dict[str, float],
        priority_themes: list[str],
        time_slots: list[str],
        modality: str,
        half_days_per_month: int,
        next_steps: list[dict[str, Any]],
        completed_at: datetime,
    ) -> None:
        await self.conn.execute(
            """INSERT INTO diagnoses (response_id, person_id, collectivite_siren, commune_insee,
                                      departement, family, axis_scores, priority_themes, time_slots,
                                      modality, half_days_per_month, next_steps, completed_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
               ON CONFLICT (response_id) DO NOTHING""",
            response_id,
            person_id,
            collectivite_siren,
            commune_insee,
            departement,
            family,
            axis_scores,
            priority_themes,
            time_slots,
            modality,
            half_days_per_month,
            next_steps,
            completed_at,
        )

    async def latest_diagnoses(self, person_ids: list[str]) -> dict[str, DiagnosisRow]:
        """The latest diagnosis of each person who has one."""
        rows = await self.conn.fetch(
            f"""SELECT DISTINCT ON (person_id) {_DIAGNOSIS_COLUMNS} FROM diagnoses
                WHERE person_id = ANY($1::text[]) ORDER BY person_id, completed_at DESC""",
            person_ids,
        )
        return {r["person_id"]: DiagnosisRow(**dict(r.items())) for r in rows}

    async def diagnosed_on_theme(
        self,
        theme: str,
        departement: str | None,
        *,
        exclude: list[str],
        limit: int,
        within: list[str] | None = None,
    ) -> list[DiagnosisRow]:
        """Élus whose latest diagnosis puts ``theme`` first among priorities, neighbours first;
        ``within``: only from these départements (or of no known département)."""
        rows = await self.conn.fetch(
            f"""SELECT * FROM (
                    SELECT DISTINCT ON (person_id) {_DIAGNOSIS_COLUMNS}, completed_at FROM diagnoses
                    WHERE person_id IS NOT NULL AND NOT person_id = ANY($3::text[])
                    ORDER BY person_id, completed_at DESC) latest
                WHERE $1 = ANY(priority_themes)
                  AND ($5::text[] IS NULL OR departement IS NULL OR departement = ANY($5))
                ORDER BY (departement IS NOT DISTINCT FROM $2) DESC, completed_at DESC, person_id
                LIMIT $4""",
            theme,
            departement,
            exclude,
            limit,
            within,
        )
        return [DiagnosisRow(**{k: v for k, v in r.items() if k != "completed_at"}) for r in rows]

    async def theme_statistics(
        self, departement: str | None, within: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """How many diagnoses (anonymous ones included) put each theme among their priorities;
        ``within``: only those of these départements."""
        rows = await self.conn.fetch(
            """SELECT theme, count(*) AS diagnoses
               FROM diagnoses, unnest(priority_themes) AS theme
               WHERE ($1::text IS NULL OR departement = $1)
                 AND ($2::text[] IS NULL OR departement = ANY($2))
               GROUP BY theme ORDER BY count(*) DESC, theme""",
            departement,
            within,
        )
        return [dict(r.items()) for r in rows]
