"""The hours ledger: its transactions (written as sessions are held) and the balances
(views of the schema)."""

from dataclasses import dataclass

from deformations_common.db import Connection
from deformations_lending.domain.ledger import LedgerTransaction
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

    async def insert_ledger_transaction(self, txn: LedgerTransaction) -> None:
        await self._db.execute(
            """INSERT INTO ledger_transactions (id, loan_id, session_id, occurred_at)
               VALUES ($1, $2, $3, $4)""",
            txn.id,
            txn.loan_id,
            txn.session_id,
            txn.occurred_at,
        )
        await self._db.executemany(
            "INSERT INTO ledger_entries (transaction_id, siren, minutes) VALUES ($1, $2, $3)",
            [(e.transaction_id, e.account, e.minutes) for e in txn.entries],
        )
