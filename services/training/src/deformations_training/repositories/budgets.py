"""Budgets voted by collectivités for their élus' training."""

from deformations_common.db import Connection
from deformations_training.domain.budget import BudgetYear


class BudgetRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def put(self, budget: BudgetYear, by: str) -> None:
        await self.conn.execute(
            "INSERT INTO budgets (collectivite_siren, year, voted_cents,"
            " allowances_envelope_cents, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (collectivite_siren, year) DO UPDATE SET voted_cents = $3,"
            " allowances_envelope_cents = $4, updated_at = $5, updated_by = $6",
            budget.collectivite_siren,
            budget.year,
            budget.voted_cents,
            budget.allowances_envelope_cents,
            budget.updated_at,
            by,
        )

    async def get(self, siren: str, year: int) -> BudgetYear | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM budgets WHERE collectivite_siren = $1 AND year = $2", siren, year
        )
        if row is None:
            return None
        return BudgetYear(
            row["collectivite_siren"],
            row["year"],
            row["voted_cents"],
            row["allowances_envelope_cents"],
            row["updated_at"],
        )
