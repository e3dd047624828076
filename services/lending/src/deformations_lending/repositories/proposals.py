"""The read model of match proposals (need_offer, grouped_offer), one row per request."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from asyncpg import Record

from deformations_common.db import Connection
from deformations_lending.repositories.statements import Statements


@dataclass(frozen=True, slots=True)
class Proposal:
    proposal_id: UUID
    request_id: UUID
    borrower_siren: str
    offer_id: UUID
    lender_siren: str
    kind: str
    theme: str | None
    score: float
    reasons: list[str]
    proposed_at: datetime
    expires_at: datetime | None
    loan_id: UUID | None = None


def _from(row: Record) -> Proposal:
    return Proposal(**{k: row[k] for k in Proposal.__dataclass_fields__})


_SELECT = """SELECT p.*, l.id AS loan_id FROM proposals p
             LEFT JOIN loans l ON l.match_id = p.proposal_id AND l.request_id = p.request_id"""


class ProposalRepository:
    """The read model of match proposals."""

    def __init__(self, conn: Connection) -> None:
        self._db = Statements(conn)

    async def store(self, proposals: list[Proposal]) -> None:
        await self._db.executemany(
            """INSERT INTO proposals (proposal_id, request_id, borrower_siren, offer_id,
                   lender_siren, kind, theme, score, reasons, proposed_at, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (proposal_id, request_id) DO NOTHING""",
            [
                (
                    p.proposal_id,
                    p.request_id,
                    p.borrower_siren,
                    p.offer_id,
                    p.lender_siren,
                    p.kind,
                    p.theme,
                    p.score,
                    p.reasons,
                    p.proposed_at,
                    p.expires_at,
                )
                for p in proposals
            ],
        )

    async def for_borrower(self, siren: str, *, limit: int = 50) -> list[Proposal]:
        """The borrower's proposals; one of a hidden offer only once it led to a loan."""
        rows = await self._db.fetch(
            f"""{_SELECT} WHERE p.borrower_siren = $1
                AND (l.id IS NOT NULL OR NOT EXISTS (
                    SELECT 1 FROM offers o WHERE o.id = p.offer_id AND o.hidden_at IS NOT NULL))
                ORDER BY p.proposed_at DESC LIMIT $2""",
            siren,
            limit,
        )
        return [_from(r) for r in rows]

    async def get(self, proposal_id: UUID, request_id: UUID) -> Proposal | None:
        row = await self._db.fetchrow(
            f"{_SELECT} WHERE p.proposal_id = $1 AND p.request_id = $2", proposal_id, request_id
        )
        return _from(row) if row else None
