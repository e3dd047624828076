"""Balances of the hours ledger (views of the schema)."""

from dataclasses import dataclass

from deformations_common.db import Connection
from deformations_lending.repositories.statements import Statements


@dataclass(frozen=True, slots=True)
class Balance:
    siren: str | None  # None: collectivités outside any known EPCI
    name: str | None
    minutes: int


class LedgerRepository:
    """Balances of the hours ledger."""

    def __init__(self, conn: Connection) -> None:
        self._db = Statements(conn)

    async def balances(self, *, epci: str | None = None) -> list[Balance]:
        rows = await self._db.fetch(
            """SELECT b.siren, c.name, b.minutes FROM ledger_balances b
               LEFT JOIN collectivites c ON c.siren = b.siren
               WHERE $1::text IS NULL OR c.epci_siren = $1
               ORDER BY b.minutes DESC, b.siren""",
            epci,
        )
        return [Balance(r["siren"], r["name"], r["minutes"]) for r in rows]

    async def balances_by_epci(self) -> list[Balance]:
        rows = await self._db.fetch(
            """SELECT b.epci_siren, e.name, b.minutes FROM ledger_balances_by_epci b
               LEFT JOIN collectivites e ON e.siren = b.epci_siren
               ORDER BY b.minutes DESC, b.epci_siren"""
        )
        return [Balance(r["epci_siren"], r["name"], r["minutes"]) for r in rows]
