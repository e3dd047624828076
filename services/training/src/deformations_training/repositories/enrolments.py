"""Enrolments, their attendance, and the groups of offres groupées."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from asyncpg import Record

from deformations_common.db import Connection
from deformations_training.domain.enrolments import Enrolment, EnrolmentStatus
from deformations_training.domain.groups import Group
from deformations_training.repositories import constraints

_SELECT = (
    "SELECT e.*, coalesce(array_agg(a.session_id) FILTER (WHERE a.present), '{}') AS attended"
    " FROM enrolments e LEFT JOIN attendance a ON a.enrolment_id = e.id"
)


def _enrolment(row: Record) -> Enrolment:
    return Enrolment(
        id=row["id"],
        offer_id=row["offer_id"],
        person_id=row["person_id"],
        collectivite_siren=row["collectivite_siren"],
        group_id=row["group_id"],
        status=EnrolmentStatus(row["status"]),
        requested_at=row["requested_at"],
        price_cents=row["price_cents"],
        confirmed_at=row["confirmed_at"],
        cancelled_at=row["cancelled_at"],
        enrolled_by=row["enrolled_by"],
        attended=frozenset(row["attended"]),
    )


def _group(row: Record) -> Group:
    return Group(
        id=row["id"],
        offer_id=row["offer_id"],
        territory_siren=row["territory_siren"],
        organiser_id=row["organiser_id"],
        created_at=row["created_at"],
        settled_at=row["settled_at"],
        settled_price_cents=row["settled_price_cents"],
    )


class EnrolmentRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, enrolment: Enrolment) -> None:
        async with constraints():
            await self.conn.execute(
                "INSERT INTO enrolments (id, offer_id, person_id, collectivite_siren, group_id,"
                " status, requested_at, price_cents, confirmed_at, enrolled_by)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                enrolment.id,
                enrolment.offer_id,
                enrolment.person_id,
                enrolment.collectivite_siren,
                enrolment.group_id,
                enrolment.status.value,
                enrolment.requested_at,
                enrolment.price_cents,
                enrolment.confirmed_at,
                enrolment.enrolled_by,
            )

    async def save(self, enrolment: Enrolment) -> None:
        async with constraints():
            await self.conn.execute(
                "UPDATE enrolments SET status = $2, price_cents = $3, confirmed_at = $4,"
                " cancelled_at = $5 WHERE id = $1",
                enrolment.id,
                enrolment.status.value,
                enrolment.price_cents,
                enrolment.confirmed_at,
                enrolment.cancelled_at,
            )

    async def get(self, enrolment_id: UUID) -> Enrolment | None:
        row = await self.conn.fetchrow(f"{_SELECT} WHERE e.id = $1 GROUP BY e.id", enrolment_id)
        return _enrolment(row) if row else None

    async def of_offer(self, offer_id: UUID) -> list[Enrolment]:
        rows = await self.conn.fetch(
            f"{_SELECT} WHERE e.offer_id = $1 GROUP BY e.id ORDER BY e.requested_at, e.id",
            offer_id,
        )
        return [_enrolment(r) for r in rows]

    async def of_person(self, person_id: str) -> list[Enrolment]:
        rows = await self.conn.fetch(
            f"{_SELECT} WHERE e.person_id = $1 GROUP BY e.id ORDER BY e.requested_at", person_id
        )
        return [_enrolment(r) for r in rows]

    async def waitlist(self, offer_id: UUID) -> list[Enrolment]:
        rows = await self.conn.fetch(
            f"{_SELECT} WHERE e.offer_id = $1 AND e.status = 'waitlisted'"
            " GROUP BY e.id ORDER BY e.requested_at, e.id",
            offer_id,
        )
        return [_enrolment(r) for r in rows]

    async def position(self, enrolment: Enrolment) -> int:
        """Place in the waitlist (1 = next), in the order promotions follow."""
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM enrolments WHERE offer_id = $1 AND status = 'waitlisted'"
            " AND (requested_at, id::text) <= ($2, $3)",
            enrolment.offer_id,
            enrolment.requested_at,
            str(enrolment.id),
        )
        return count

    async def confirmed_in_group(self, group_id: UUID) -> list[Enrolment]:
        rows = await self.conn.fetch(
            f"{_SELECT} WHERE e.group_id = $1 AND e.status = 'confirmed' GROUP BY e.id", group_id
        )
        return [_enrolment(r) for r in rows]

    async def set_price(self, ids: Sequence[UUID], price_cents: int) -> None:
        await self.conn.execute(
            "UPDATE enrolments SET price_cents = $2 WHERE id = ANY($1::uuid[])",
            list(ids),
            price_cents,
        )

    async def record_attendance(
        self, enrolment_id: UUID, session_id: UUID, present: bool, by: str, at: datetime
    ) -> None:
        await self.conn.execute(
            "INSERT INTO attendance (enrolment_id, session_id, present, recorded_by, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (enrolment_id, session_id)"
            " DO UPDATE SET present = $3, recorded_by = $4, recorded_at = $5",
            enrolment_id,
            session_id,
            present,
            by,
            at,
        )

    async def spent_by(self, collectivite_siren: str, year: int) -> list[Record]:
        """Confirmed enrolments paid by a collectivité for offers of ``year`` (Paris time),
        with whether their body's agrément is recorded on the offer's date."""
        rows: list[Record] = await self.conn.fetch(
            "SELECT e.person_id, e.price_cents,"
            " (b.agrement_reference IS NOT NULL AND (b.agrement_until IS NULL OR"
            "  b.agrement_until >= (coalesce(s.first, o.published_at)"
            "  AT TIME ZONE 'Europe/Paris')::date)) AS approved"
            " FROM enrolments e JOIN offers o ON o.id = e.offer_id"
            " JOIN bodies b ON b.siren = o.body_siren"
            " LEFT JOIN LATERAL (SELECT min(starts_at) AS first FROM sessions"
            "  WHERE offer_id = o.id AND NOT cancelled) s ON true"
            " WHERE e.collectivite_siren = $1 AND e.status = 'confirmed'"
            " AND extract(year FROM coalesce(s.first, e.requested_at)"
            "  AT TIME ZONE 'Europe/Paris') = $2",
            collectivite_siren,
            year,
        )
        return rows

    # ---- groups ----

    async def add_group(self, group: Group) -> None:
        await self.conn.execute(
            "INSERT INTO groups (id, offer_id, territory_siren, organiser_id, created_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            group.id,
            group.offer_id,
            group.territory_siren,
            group.organiser_id,
            group.created_at,
        )

    async def get_group(self, group_id: UUID) -> Group | None:
        row = await self.conn.fetchrow("SELECT * FROM groups WHERE id = $1", group_id)
        return _group(row) if row else None

    async def groups_of(self, offer_id: UUID) -> list[Group]:
        rows = await self.conn.fetch("SELECT * FROM groups WHERE offer_id = $1", offer_id)
        return [_group(r) for r in rows]

    async def save_group(self, group: Group) -> None:
        await self.conn.execute(
            "UPDATE groups SET settled_at = $2, settled_price_cents = $3 WHERE id = $1",
            group.id,
            group.settled_at,
            group.settled_price_cents,
        )

    async def unsettled_groups_closed_by(self, now: datetime) -> list[Group]:
        rows = await self.conn.fetch(
            "SELECT g.* FROM groups g JOIN offers o ON o.id = g.offer_id"
            " WHERE g.settled_at IS NULL AND o.cancelled_at IS NULL"
            " AND coalesce(o.registration_closes_at,"
            "  (SELECT min(starts_at) FROM sessions s WHERE s.offer_id = o.id AND NOT s.cancelled))"
            "  <= $1"
            " ORDER BY g.created_at FOR UPDATE OF g SKIP LOCKED",
            now,
        )
        return [_group(r) for r in rows]
