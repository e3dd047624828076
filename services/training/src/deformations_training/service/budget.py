"""Use cases of a collectivité's training budget."""

from deformations_training.domain import budget as rules
from deformations_training.domain.budget import BudgetYear, Spending, Statement
from deformations_training.domain.errors import InvalidTrainingInput
from deformations_training.domain.policy import Actor, may_manage_collectivite
from deformations_training.service.uow import TrainingUow


async def vote(
    uow: TrainingUow,
    actor: Actor,
    siren: str,
    year: int,
    *,
    voted_cents: int,
    allowances_envelope_cents: int | None,
) -> BudgetYear:
    may_manage_collectivite(actor, siren)
    budget = rules.vote(
        collectivite_siren=siren,
        year=year,
        voted_cents=voted_cents,
        allowances_envelope_cents=allowances_envelope_cents,
        now=uow.now(),
    )
    await uow.budgets.put(budget, actor.person_id)
    return budget


async def statement(uow: TrainingUow, actor: Actor, siren: str, year: int) -> Statement:
    may_manage_collectivite(actor, siren)
    if not 2020 <= year <= 2100:
        raise InvalidTrainingInput("Exercice invalide.", field="year")
    spendings = [
        Spending(r["person_id"], r["price_cents"], r["approved"])
        for r in await uow.enrolments.spent_by(siren, year)
    ]
    return rules.statement(siren, year, await uow.budgets.get(siren, year), spendings)
