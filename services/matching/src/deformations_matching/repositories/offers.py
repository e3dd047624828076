"""Offers and loans, as lending published them, and the standing they give (read models)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection
from deformations_contracts.values import HALF_DAY_HOURS


@dataclass(frozen=True)
class OfferRow:
    offer_id: UUID
    status: str  # open, withdrawn, or hidden by lending's operators (see offer_moderation)
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
class Changes:
    """What changed since a horizon, read in one snapshot (see ``changes_since``)."""

    horizon: int
    offers: list[OfferRow]
    standings: list[dict[str, Any]]
    booked: list[dict[str, Any]]


_STANDINGS = f"""
SELECT s.siren,
       {HALF_DAY_HOURS} * coalesce(sum(l.half_days_used) FILTER (
           WHERE l.lender_siren = s.siren AND l.status = 'completed'), 0) AS hours_lent,
       {HALF_DAY_HOURS} * coalesce(sum(l.half_days_used) FILTER (
           WHERE l.borrower_siren = s.siren AND l.status = 'completed'), 0) AS hours_received,
       coalesce(sum(l.borrower_satisfaction) FILTER (WHERE l.lender_siren = s.siren), 0)
           AS feedback_sum,
       count(l.borrower_satisfaction) FILTER (WHERE l.lender_siren = s.siren)
           AS feedback_count
FROM sirens s
JOIN loans l ON l.lender_siren = s.siren OR l.borrower_siren = s.siren
GROUP BY s.siren"""


class OfferRepository:
    """Offers, loans and standings of the read model; the catch-up of the offer index."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def upsert_offer(
        self,
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
        status: str = await self.conn.fetchval(
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

    async def withdraw_offer(self, offer_id: UUID, siren: str, withdrawn_at: datetime) -> None:
        await self.conn.execute(
            """INSERT INTO offers (offer_id, status, siren, withdrawn_at)
               VALUES ($1, 'withdrawn', $2, $3)
               ON CONFLICT (offer_id) DO UPDATE SET status = 'withdrawn',
                   withdrawn_at = EXCLUDED.withdrawn_at, changed_xid = pg_current_xact_id()""",
            offer_id,
            siren,
            withdrawn_at,
        )

    async def moderate_offer(self, offer_id: UUID, *, hidden: bool, at: datetime) -> None:
        """Keep the latest of lending's hide and show decisions; the offer, if known, is
        marked changed so that every replica's index catches up with it."""
        await self.conn.execute(
            """INSERT INTO offer_moderation (offer_id, hidden, decided_at) VALUES ($1, $2, $3)
               ON CONFLICT (offer_id) DO UPDATE SET
                   hidden = EXCLUDED.hidden, decided_at = EXCLUDED.decided_at
               WHERE offer_moderation.decided_at < EXCLUDED.decided_at""",
            offer_id,
            hidden,
            at,
        )
        await self.conn.execute(
            "UPDATE offers SET changed_xid = pg_current_xact_id() WHERE offer_id = $1", offer_id
        )

    async def record_loan(
        self,
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
        await self.conn.execute(
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

    async def standing_row(self, siren: str) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            f"WITH sirens AS (SELECT $1::text AS siren) {_STANDINGS}",
            siren,
        )
        return dict(row.items()) if row else None

    async def all_standings(self) -> list[dict[str, Any]]:
        """The standing of every collectivité that lent or borrowed."""
        rows = await self.conn.fetch(
            f"""WITH sirens AS (SELECT lender_siren AS siren FROM loans
                                UNION SELECT borrower_siren FROM loans) {_STANDINGS}"""
        )
        return [dict(r.items()) for r in rows]

    async def changes_since(self, horizon: int) -> Changes:
        """Offers and loan effects changed by transactions at or after ``horizon``.

        One statement, hence one snapshot: every transaction older than the snapshot's xmin
        is finished and visible, so asking again from that xmin misses nothing (what was in
        flight is read again, which is harmless).
        """
        row = await self.conn.fetchrow(
            f"""WITH changed AS (SELECT * FROM loans WHERE changed_xid >= $1::text::xid8),
                     sirens AS (SELECT lender_siren AS siren FROM changed
                                UNION SELECT borrower_siren FROM changed),
                     standings AS ({_STANDINGS})
                SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon,
                       (SELECT coalesce(json_agg(o), '[]') FROM (
                            SELECT o.offer_id,
                                   CASE WHEN m.hidden THEN 'hidden' ELSE o.status END AS status,
                                   siren, insee_code, epci_siren, theme, description,
                                   capacity_half_days, half_days, modality, period_end
                            FROM offers o LEFT JOIN offer_moderation m USING (offer_id)
                            WHERE o.changed_xid >= $1::text::xid8) o) AS offers,
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
