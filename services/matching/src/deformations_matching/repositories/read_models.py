"""Read models fed by other services' events: offers, requests, loans, diagnoses."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection


@dataclass(frozen=True)
class OfferRow:
    offer_id: UUID
    status: str
    siren: str
    insee_code: str | None
    epci_siren: str | None
    theme: str | None
    description: str | None
    capacity_half_days: int | None
    half_days: list[str]
    modality: str | None
    period_end: date | None = None


@dataclass(frozen=True)
class RequestRow:
    request_id: UUID
    status: str
    siren: str
    insee_code: str | None
    epci_siren: str | None
    theme: str | None
    need: str | None
    half_days: int | None
    preferred: list[str]
    modality: str | None


@dataclass(frozen=True)
class Changes:
    """What changed since a horizon, read in one snapshot (see ``changes_since``)."""

    horizon: int
    offers: list[OfferRow]
    standings: list[dict[str, Any]]
    booked: list[dict[str, Any]]


async def upsert_offer(
    conn: Connection,
    *,
    offer_id: UUID,
    siren: str,
    insee_code: str | None,
    epci_siren: str | None,
    theme: str,
    description: str,
    capacity_half_days: int,
    half_days: list[str],
    modality: str,
    period_end: date,
    offered_at: datetime,
) -> str:
    """Store an offer (a repeated one replaces it); returns its status: a tombstone stays."""
    status: str = await conn.fetchval(
        """INSERT INTO offers (offer_id, status, siren, insee_code, epci_siren, theme,
                               description, capacity_half_days, half_days, modality,
                               period_end, offered_at)
           VALUES ($1, 'open', $2, $3, $4, $5, $6, $7, $8, $9, $11, $10)
           ON CONFLICT (offer_id) DO UPDATE SET
               siren = EXCLUDED.siren, insee_code = EXCLUDED.insee_code,
               epci_siren = EXCLUDED.epci_siren, theme = EXCLUDED.theme,
               description = EXCLUDED.description,
               capacity_half_days = EXCLUDED.capacity_half_days,
               half_days = EXCLUDED.half_days, modality = EXCLUDED.modality,
               period_end = EXCLUDED.period_end,
               offered_at = EXCLUDED.offered_at, changed_xid = pg_current_xact_id()
           RETURNING status""",
        offer_id,
        siren,
        insee_code,
        epci_siren,
        theme,
        description,
        capacity_half_days,
        half_days,
        modality,
        offered_at,
        period_end,
    )
    return status


async def withdraw_offer(
    conn: Connection, offer_id: UUID, siren: str, withdrawn_at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO offers (offer_id, status, siren, withdrawn_at)
           VALUES ($1, 'withdrawn', $2, $3)
           ON CONFLICT (offer_id) DO UPDATE SET status = 'withdrawn',
               withdrawn_at = EXCLUDED.withdrawn_at, changed_xid = pg_current_xact_id()""",
        offer_id,
        siren,
        withdrawn_at,
    )


async def upsert_request(
    conn: Connection,
    *,
    request_id: UUID,
    siren: str,
    insee_code: str | None,
    epci_siren: str | None,
    theme: str,
    need: str,
    half_days: int,
    preferred: list[str],
    modality: str,
    period_end: date,
    requested_at: datetime,
) -> str:
    status: str = await conn.fetchval(
        """INSERT INTO requests (request_id, status, siren, insee_code, epci_siren, theme, need,
                                 half_days, preferred, modality, period_end, requested_at)
           VALUES ($1, 'open', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (request_id) DO UPDATE SET
               siren = EXCLUDED.siren, insee_code = EXCLUDED.insee_code,
               epci_siren = EXCLUDED.epci_siren, theme = EXCLUDED.theme, need = EXCLUDED.need,
               half_days = EXCLUDED.half_days, preferred = EXCLUDED.preferred,
               modality = EXCLUDED.modality, period_end = EXCLUDED.period_end,
               requested_at = EXCLUDED.requested_at
           RETURNING status""",
        request_id,
        siren,
        insee_code,
        epci_siren,
        theme,
        need,
        half_days,
        preferred,
        modality,
        period_end,
        requested_at,
    )
    return status


async def withdraw_request(
    conn: Connection, request_id: UUID, siren: str, withdrawn_at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO requests (request_id, status, siren, withdrawn_at)
           VALUES ($1, 'withdrawn', $2, $3)
           ON CONFLICT (request_id) DO UPDATE SET status = 'withdrawn',
               withdrawn_at = EXCLUDED.withdrawn_at""",
        request_id,
        siren,
        withdrawn_at,
    )


_REQUEST_COLUMNS = """request_id, status, siren, insee_code, epci_siren, theme, need, half_days,
                      preferred, modality"""


async def open_requests(conn: Connection, today: date) -> list[RequestRow]:
    """Requests still open whose period has not ended."""
    rows = await conn.fetch(
        f"""SELECT {_REQUEST_COLUMNS} FROM requests
            WHERE status = 'open' AND theme IS NOT NULL AND period_end >= $1
            ORDER BY request_id""",
        today,
    )
    return [RequestRow(**dict(r.items())) for r in rows]


async def get_request(conn: Connection, request_id: UUID) -> RequestRow | None:
    row = await conn.fetchrow(
        f"SELECT {_REQUEST_COLUMNS} FROM requests WHERE request_id = $1", request_id
    )
    return RequestRow(**dict(row.items())) if row else None


async def record_loan(
    conn: Connection,
    *,
    loan_id: UUID,
    offer_id: UUID,
    lender_siren: str,
    borrower_siren: str,
    status: str,
    half_days_agreed: int,
    half_days_used: int = 0,
    borrower_satisfaction: int | None = None,
) -> None:
    """Record a loan's state; an ended loan (completed, cancelled) never goes back to agreed."""
    await conn.execute(
        """INSERT INTO loans (loan_id, offer_id, lender_siren, borrower_siren, status,
                              half_days_agreed, half_days_used, borrower_satisfaction)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (loan_id) DO UPDATE SET
               status = EXCLUDED.status, half_days_agreed = EXCLUDED.half_days_agreed,
               half_days_used = EXCLUDED.half_days_used,
               borrower_satisfaction = EXCLUDED.borrower_satisfaction,
               changed_xid = pg_current_xact_id()
           WHERE loans.status = 'agreed'""",
        loan_id,
        offer_id,
        lender_siren,
        borrower_siren,
        status,
        half_days_agreed,
        half_days_used,
        borrower_satisfaction,
    )


# Hours of a half-day in the ledger (7 hours a day).
HOURS_PER_HALF_DAY = 3.5

_STANDINGS = f"""
SELECT s.siren,
       {HOURS_PER_HALF_DAY} * coalesce(sum(l.half_days_used) FILTER (
           WHERE l.lender_siren = s.siren AND l.status = 'completed'), 0) AS hours_lent,
       {HOURS_PER_HALF_DAY} * coalesce(sum(l.half_days_used) FILTER (
           WHERE l.borrower_siren = s.siren AND l.status = 'completed'), 0) AS hours_received,
       coalesce(sum(l.borrower_satisfaction) FILTER (WHERE l.lender_siren = s.siren), 0)
           AS feedback_sum,
       count(l.borrower_satisfaction) FILTER (WHERE l.lender_siren = s.siren)
           AS feedback_count
FROM sirens s
JOIN loans l ON l.lender_siren = s.siren OR l.borrower_siren = s.siren
GROUP BY s.siren"""


async def standing_row(conn: Connection, siren: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"WITH sirens AS (SELECT $1::text AS siren) {_STANDINGS}",
        siren,
    )
    return dict(row.items()) if row else None


async def all_standings(conn: Connection) -> list[dict[str, Any]]:
    """The standing of every collectivité that lent or borrowed."""
    rows = await conn.fetch(
        f"""WITH sirens AS (SELECT lender_siren AS siren FROM loans
                            UNION SELECT borrower_siren FROM loans) {_STANDINGS}"""
    )
    return [dict(r.items()) for r in rows]


async def changes_since(conn: Connection, horizon: int) -> Changes:
    """Offers and loan effects changed by transactions at or after ``horizon``.

    One statement, hence one snapshot: every transaction older than the snapshot's xmin
    is finished and visible, so asking again from that xmin misses nothing (what was in
    flight is read again, which is harmless).
    """
    row = await conn.fetchrow(
        f"""WITH changed AS (SELECT * FROM loans WHERE changed_xid >= $1::text::xid8),
                 sirens AS (SELECT lender_siren AS siren FROM changed
                            UNION SELECT borrower_siren FROM changed),
                 standings AS ({_STANDINGS})
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon,
                   (SELECT coalesce(json_agg(o), '[]') FROM (
                        SELECT offer_id, status, siren, insee_code, epci_siren, theme,
                               description, capacity_half_days, half_days, modality,
                               period_end
                        FROM offers WHERE changed_xid >= $1::text::xid8) o) AS offers,
                   (SELECT coalesce(json_agg(s), '[]') FROM standings s) AS standings,
                   (SELECT coalesce(json_agg(b), '[]') FROM (
                        SELECT offer_id,
                               sum(CASE WHEN status = 'agreed' THEN half_days_agreed
                                        ELSE half_days_used END) AS booked
                        FROM loans WHERE offer_id IN (SELECT offer_id FROM changed)
                        GROUP BY offer_id) b) AS booked""",
        str(horizon),
    )
    assert row is not None
    offers = [
        OfferRow(
            **{
                **o,
                "offer_id": UUID(o["offer_id"]),
                "half_days": o["half_days"] or [],
                "period_end": o["period_end"] and date.fromisoformat(o["period_end"]),
            }
        )
        for o in row["offers"]
    ]
    return Changes(int(row["horizon"]), offers, row["standings"], row["booked"])


async def upsert_diagnosis(
    conn: Connection,
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
    await conn.execute(
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


async def latest_diagnoses(conn: Connection, person_ids: list[str]) -> dict[str, DiagnosisRow]:
    """The latest diagnosis of each person who has one."""
    rows = await conn.fetch(
        f"""SELECT DISTINCT ON (person_id) {_DIAGNOSIS_COLUMNS} FROM diagnoses
            WHERE person_id = ANY($1::text[]) ORDER BY person_id, completed_at DESC""",
        person_ids,
    )
    return {r["person_id"]: DiagnosisRow(**dict(r.items())) for r in rows}


async def diagnosed_on_theme(
    conn: Connection, theme: str, departement: str | None, *, exclude: list[str], limit: int
) -> list[DiagnosisRow]:
    """Élus whose latest diagnosis puts ``theme`` first among priorities, neighbours first."""
    rows = await conn.fetch(
        f"""SELECT * FROM (
                SELECT DISTINCT ON (person_id) {_DIAGNOSIS_COLUMNS}, completed_at FROM diagnoses
                WHERE person_id IS NOT NULL AND NOT person_id = ANY($3::text[])
                ORDER BY person_id, completed_at DESC) latest
            WHERE $1 = ANY(priority_themes)
            ORDER BY (departement IS NOT DISTINCT FROM $2) DESC, completed_at DESC, person_id
            LIMIT $4""",
        theme,
        departement,
        exclude,
        limit,
    )
    return [DiagnosisRow(**{k: v for k, v in r.items() if k != "completed_at"}) for r in rows]


async def theme_statistics(conn: Connection, departement: str | None) -> list[dict[str, Any]]:
    """How many diagnoses (anonymous ones included) put each theme among their priorities."""
    rows = await conn.fetch(
        """SELECT theme, count(*) AS diagnoses
           FROM diagnoses, unnest(priority_themes) AS theme
           WHERE $1::text IS NULL OR departement = $1
           GROUP BY theme ORDER BY count(*) DESC, theme""",
        departement,
    )
    return [dict(r.items()) for r in rows]
