"""Offers and their sessions."""

from collections.abc import Sequence
from uuid import UUID

from asyncpg import Record

from deformations_common.db import Connection
from deformations_training.domain.offers import Format, Offer, PriceTier, Session


def _offer(row: Record, sessions: Sequence[Record]) -> Offer:
    return Offer(
        id=row["id"],
        body_siren=row["body_siren"],
        title=row["title"],
        description=row["description"],
        theme=row["theme"],
        format=Format(row["format"]),
        duration_minutes=row["duration_minutes"],
        capacity=row["capacity"],
        price_cents=row["price_cents"],
        sessions=tuple(
            Session(s["id"], s["starts_at"], s["ends_at"], s["sequence"], s["cancelled"])
            for s in sessions
        ),
        place_insee=row["place_insee"],
        place_label=row["place_label"],
        video_url=row["video_url"],
        group_tiers=tuple(
            PriceTier(t["min_group_size"], t["price_cents"]) for t in row["group_tiers"]
        ),
        registration_closes_at=row["registration_closes_at"],
        published_at=row["published_at"],
        cancelled_at=row["cancelled_at"],
    )


class OfferRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, offer: Offer) -> None:
        await self.conn.execute(
            "INSERT INTO offers (id, body_siren, title, description, theme, format,"
            " duration_minutes, capacity, price_cents, place_insee, place_label, video_url,"
            " group_tiers, registration_closes_at, published_at)"
            " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
            offer.id,
            offer.body_siren,
            offer.title,
            offer.description,
            offer.theme,
            offer.format.value,
            offer.duration_minutes,
            offer.capacity,
            offer.price_cents,
            offer.place_insee,
            offer.place_label,
            offer.video_url,
            [
                {"min_group_size": t.min_group_size, "price_cents": t.price_cents}
                for t in offer.group_tiers
            ],
            offer.registration_closes_at,
            offer.published_at,
        )
        await self.conn.executemany(
            "INSERT INTO sessions (id, offer_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)",
            [(s.id, offer.id, s.starts_at, s.ends_at) for s in offer.sessions],
        )

    async def get(self, offer_id: UUID, *, for_update: bool = False) -> Offer | None:
        """The offer; ``for_update`` takes its row lock, which serialises every change of
        its enrolments (see the schema)."""
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM offers WHERE id = $1{lock}", offer_id)
        if row is None:
            return None
        sessions = await self.conn.fetch(
            "SELECT * FROM sessions WHERE offer_id = $1 ORDER BY starts_at", offer_id
        )
        return _offer(row, sessions)

    async def confirmed(self, offer_id: UUID) -> int:
        count: int = await self.conn.fetchval(
            "SELECT confirmed FROM offers WHERE id = $1", offer_id
        )
        return count

    async def open_offers(self) -> list[Offer]:
        rows = await self.conn.fetch(
            "SELECT * FROM offers WHERE cancelled_at IS NULL ORDER BY published_at"
        )
        return await self._with_sessions(rows)

    async def of_body(self, body_siren: str) -> list[Offer]:
        rows = await self.conn.fetch(
            "SELECT * FROM offers WHERE body_siren = $1 ORDER BY published_at", body_siren
        )
        return await self._with_sessions(rows)

    async def many(self, ids: Sequence[UUID]) -> dict[UUID, Offer]:
        rows = await self.conn.fetch("SELECT * FROM offers WHERE id = ANY($1::uuid[])", list(ids))
        return {o.id: o for o in await self._with_sessions(rows)}

    async def _with_sessions(self, rows: Sequence[Record]) -> list[Offer]:
        sessions = await self.conn.fetch(
            "SELECT * FROM sessions WHERE offer_id = ANY($1::uuid[]) ORDER BY starts_at",
            [r["id"] for r in rows],
        )
        by_offer: dict[UUID, list[Record]] = {}
        for s in sessions:
            by_offer.setdefault(s["offer_id"], []).append(s)
        return [_offer(r, by_offer.get(r["id"], [])) for r in rows]

    async def save_sessions(self, offer: Offer) -> None:
        await self.conn.executemany(
            "UPDATE sessions SET starts_at = $2, ends_at = $3, cancelled = $4 WHERE id = $1",
            [(s.id, s.starts_at, s.ends_at, s.cancelled) for s in offer.sessions],
        )

    async def mark_cancelled(self, offer: Offer) -> None:
        await self.conn.execute(
            "UPDATE offers SET cancelled_at = $2 WHERE id = $1", offer.id, offer.cancelled_at
        )
        await self.save_sessions(offer)

    async def announce(self, session_id: UUID) -> tuple[int, bool]:
        """Record one more announcement of a session: (its sequence, first time or not)."""
        row = await self.conn.fetchrow(
            "UPDATE sessions SET sequence = CASE WHEN announced THEN sequence + 1 ELSE 0 END,"
            " announced = true WHERE id = $1"
            " RETURNING sequence, (sequence = 0) AS first",
            session_id,
        )
        assert row is not None
        return row["sequence"], row["first"]

    async def announced(self, session_id: UUID) -> bool:
        value: bool = await self.conn.fetchval(
            "SELECT announced FROM sessions WHERE id = $1", session_id
        )
        return value
