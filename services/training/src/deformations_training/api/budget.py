"""The training budget of a collectivité."""

from fastapi import APIRouter

from deformations_common.auth import CurrentPrincipal
from deformations_training.api.common import RuntimeDep, actor
from deformations_training.api.schemas import BudgetIn, StatementOut
from deformations_training.service import budget
from deformations_training.service.uow import TrainingUow

router = APIRouter(prefix="/v1", tags=["budget"])


@router.put("/collectivites/{siren}/budgets/{year}")
async def vote_budget(
    siren: str, year: int, body: BudgetIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> StatementOut:
    """Le montant voté pour l'exercice (RH ou secrétariat de la collectivité)."""
    async with runtime.begin(TrainingUow) as uow:
        await budget.vote(
            uow,
            actor(principal),
            siren,
            year,
            voted_cents=body.voted_cents,
            allowances_envelope_cents=body.allowances_envelope_cents,
        )
        return StatementOut.of(await budget.statement(uow, actor(principal), siren, year))


@router.get("/collectivites/{siren}/budgets/{year}")
async def budget_statement(
    siren: str, year: int, runtime: RuntimeDep, principal: CurrentPrincipal
) -> StatementOut:
    """Voté, dépensé, plancher légal et situation de chaque élu ; renvoi vers le DIF élus."""
    async with runtime.begin(TrainingUow) as uow:
        return StatementOut.of(await budget.statement(uow, actor(principal), siren, year))
