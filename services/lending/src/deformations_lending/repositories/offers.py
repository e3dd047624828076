"""Offers and requests: rows ↔ domain objects, and browsing."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from asyncpg import Record

from deformations_common.db import Connection
from deformations_contracts.types import Modality
from deformations_lending.domain.calendar import Period, WeeklyHalfDay
from deformations_lending.domain.offers import (
    Offer,
    OfferStatus,
    ReimbursementBasis,
    RequestStatus,
    SkillRequest,
    SkillVisibility,
)
from deformations_lending.repositories.statements import Statements


@dataclass(frozen=True, slots=True)
class Browse:
    """Filters of the browsing endpoints; ``None`` means no filter."""

    theme: str | None = None
    epci: str | None = None
    departement: str | None = None
    start: date | None = None  # overlapping [start, end]
    end: date | None = None
    owner: str | None = None
    include_closed: bool = False
    limit: int = 50
    offset: int = 0
    # Who browses: a hidden text is listed for its own collectivité only.
    viewer: str | None = None


def _codes(half_days: frozenset[WeeklyHalfDay]) -> list[str]:
    return [w.code() for w in sorted(half_days)]


def _weekly(codes: Sequence[str]) -> frozenset[WeeklyHalfDay]:
    return frozenset(WeeklyHalfDay.parse(c) for c in codes)


def offer_from(row: Record) -> Offer:
    return Offer(
        id=row["id"],
        lender=row["lender_siren"],
        theme=row["theme"],
        description=row["description"],
        agent_role=row["agent_role"],
        agent_ref=row["agent_ref"],
        visibility=SkillVisibility(row["visibility"]),
        capacity_half_days=row["capacity_half_days"],
        period=Period(row["period_start"], row["period_end"]),
        possible_half_days=_weekly(row["possible_half_days"]),
        modality=Modality(row["modality"]),
        reimbursement=ReimbursementBasis(row["reimbursement"]),
        reimbursement_details=row["reimbursement_details"],
        published_at=row["published_at"],
        committed_half_days=row["committed_half_days"],
        status=OfferStatus(row["status"]),
        withdrawal_reason=row["withdrawal_reason"],
        hidden_reason=row["hidden_reason"],
        hidden_at=row["hidden_at"],
    )


def request_from(row: Record) -> SkillRequest:
    return SkillRequest(
        id=row["id"],
        requester=row["requester_siren"],
        theme=row["theme"],
        need=row["need"],
        period=Period(row["period_start"], row["period_end"]),
        half_days=row["half_days"],
        possible_half_days=_weekly(row["possible_half_days"]),
        modality=Modality(row["modality"]),
        published_at=row["published_at"],
        status=RequestStatus(row["status"]),
        withdrawal_reason=row["withdrawal_reason"],
        hidden_reason=row["hidden_reason"],
        hidden_at=row["hidden_at"],
    )


def _where(filters: Browse, owner_column: str) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []

    def add(sql: str, value: Any) -> None:
        args.append(value)
        clauses.append(sql.format(f"${len(args)}"))

    if not filters.include_closed:
        clauses.append("t.status = 'open'")
    if filters.viewer is None:
        clauses.append("t.hidden_at IS NULL")
    else:
        add(f"(t.hidden_at IS NULL OR t.{owner_column} = {{}})", filters.viewer)
    if filters.theme is not None:
        add("t.theme = {}", filters.theme)
    if filters.epci is not None:
        add("c.epci_siren = {}", filters.epci)
    if filters.departement is not None:
        add("c.departement = {}", filters.departement)
    if filters.start is not None:
        add("t.period_end >= {}", filters.start)
    if filters.end is not None:
        add("t.period_start <= {}", filters.end)
    if filters.owner is not None:
        add(f"t.{owner_column} = {{}}", filters.owner)
    return (" AND ".join(clauses) or "true"), args


class OfferRepository:
    """Offers and requests, and browsing them."""

    def __init__(self, conn: Connection) -> None:
        self._db = Statements(conn)

    async def insert_offer(self, offer: Offer) -> None:
        await self._db.execute(
            """INSERT INTO offers (id, lender_siren, theme, description, agent_role, agent_ref,
                   visibility, capacity_half_days, period_start, period_end, possible_half_days,
                   modality, reimbursement, reimbursement_details, published_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
            offer.id,
            offer.lender,
            offer.theme,
            offer.description,
            offer.agent_role,
            offer.agent_ref,
            offer.visibility.value,
            offer.capacity_half_days,
            offer.period.start,
            offer.period.end,
            _codes(offer.possible_half_days),
            offer.modality.value,
            offer.reimbursement.value,
            offer.reimbursement_details,
            offer.published_at,
        )

    async def get_offer(self, offer_id: UUID, *, for_update: bool = False) -> Offer | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._db.fetchrow(f"SELECT * FROM offers WHERE id = $1{lock}", offer_id)
        return offer_from(row) if row else None

    async def mark_offer_withdrawn(self, offer: Offer, at: datetime) -> None:
        # committed_half_days is the triggers' business: never written here.
        await self._db.execute(
            """UPDATE offers SET status = $2, withdrawal_reason = $3, withdrawn_at = $4,
                   version = version + 1
               WHERE id = $1""",
            offer.id,
            offer.status.value,
            offer.withdrawal_reason,
            at,
        )

    async def set_hidden(self, item: Offer | SkillRequest) -> None:
        """Store the operator's latest decision: hidden with its reason, or shown."""
        table = "offers" if isinstance(item, Offer) else "skill_requests"
        await self._db.execute(
            f"""UPDATE {table} SET hidden_reason = $2, hidden_at = $3, version = version + 1
                WHERE id = $1""",
            item.id,
            item.hidden_reason,
            item.hidden_at,
        )

    async def recent_offers(self, limit: int) -> list[Offer]:
        """The newest offers, hidden, withdrawn or not (the operators' queue)."""
        rows = await self._db.fetch(
            "SELECT * FROM offers ORDER BY published_at DESC, id LIMIT $1", limit
        )
        return [offer_from(r) for r in rows]

    async def insert_request(self, request: SkillRequest) -> None:
        await self._db.execute(
            """INSERT INTO skill_requests (id, requester_siren, theme, need, period_start,
                   period_end, half_days, possible_half_days, modality, published_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            request.id,
            request.requester,
            request.theme,
            request.need,
            request.period.start,
            request.period.end,
            request.half_days,
            _codes(request.possible_half_days),
            request.modality.value,
            request.published_at,
        )

    async def get_request(
        self, request_id: UUID, *, for_update: bool = False
    ) -> SkillRequest | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._db.fetchrow(
            f"SELECT * FROM skill_requests WHERE id = $1{lock}", request_id
        )
        return request_from(row) if row else None

    async def mark_request_withdrawn(self, request: SkillRequest, at: datetime) -> None:
        await self._db.execute(
            """UPDATE skill_requests SET status = $2, withdrawal_reason = $3, withdrawn_at = $4,
                   version = version + 1
               WHERE id = $1""",
            request.id,
            request.status.value,
            request.withdrawal_reason,
            at,
        )

    async def recent_requests(self, limit: int) -> list[SkillRequest]:
        rows = await self._db.fetch(
            "SELECT * FROM skill_requests ORDER BY published_at DESC, id LIMIT $1", limit
        )
        return [request_from(r) for r in rows]

    async def browse_offers(self, filters: Browse) -> list[Offer]:
        where, args = _where(filters, "lender_siren")
        rows = await self._db.fetch(
            f"""SELECT t.* FROM offers t LEFT JOIN collectivites c ON c.siren = t.lender_siren
                WHERE {where} ORDER BY t.published_at DESC, t.id
                LIMIT {int(filters.limit)} OFFSET {int(filters.offset)}""",
            *args,
        )
        return [offer_from(r) for r in rows]

    async def browse_requests(self, filters: Browse) -> list[SkillRequest]:
        where, args = _where(filters, "requester_siren")
        rows = await self._db.fetch(
            f"""SELECT t.* FROM skill_requests t
                LEFT JOIN collectivites c ON c.siren = t.requester_siren
                WHERE {where} ORDER BY t.published_at DESC, t.id
                LIMIT {int(filters.limit)} OFFSET {int(filters.offset)}""",
            *args,
        )
        return [request_from(r) for r in rows]
