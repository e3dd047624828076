"""Requests for a skill, as lending published them (a read model)."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from deformations_common.db import Connection


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


_REQUEST_COLUMNS = """request_id, status, siren, insee_code, epci_siren, theme, need, half_days,
                      preferred, modality"""


class RequestRepository:
    """Requests of the read model."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def upsert_request(
        self,
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
        status: str = await self.conn.fetchval(
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

    async def withdraw_request(self, request_id: UUID, siren: str, withdrawn_at: datetime) -> None:
        await self.conn.execute(
            """INSERT INTO requests (request_id, status, siren, withdrawn_at)
               VALUES ($1, 'withdrawn', $2, $3)
               ON CONFLICT (request_id) DO UPDATE SET status = 'withdrawn',
                   withdrawn_at = EXCLUDED.withdrawn_at""",
            request_id,
            siren,
            withdrawn_at,
        )

    async def open_requests(self, today: date) -> list[RequestRow]:
        """Requests still open whose period has not ended."""
        rows = await self.conn.fetch(
            f"""SELECT {_REQUEST_COLUMNS} FROM requests
                WHERE status = 'open' AND theme IS NOT NULL AND period_end >= $1
                ORDER BY request_id""",
            today,
        )
        return [RequestRow(**dict(r.items())) for r in rows]

    async def get_request(self, request_id: UUID) -> RequestRow | None:
        row = await self.conn.fetchrow(
            f"SELECT {_REQUEST_COLUMNS} FROM requests WHERE request_id = $1", request_id
        )
        return RequestRow(**dict(row.items())) if row else None
