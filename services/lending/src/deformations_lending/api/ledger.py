"""The hours ledger: who lends and who borrows, per collectivité and per EPCI."""

from typing import Annotated

from fastapi import APIRouter, Query

from deformations_lending.api.deps import CurrentActor, WorkDep
from deformations_lending.api.outputs import BalanceOut
from deformations_lending.domain.ledger import hours
from deformations_lending.repositories.ledger import Balance
from deformations_lending.service import ledger

router = APIRouter(prefix="/v1/ledger", tags=["grand livre des heures"])


def _out(balance: Balance) -> BalanceOut:
    position = (
        "prêteuse"
        if balance.minutes > 0
        else "emprunteuse"
        if balance.minutes < 0
        else "à l'équilibre"
    )
    return BalanceOut(
        siren=balance.siren,
        name=balance.name,
        minutes=balance.minutes,
        hours_label=hours(balance.minutes),
        position=position,
    )


@router.get("/balances")
async def balances(
    work: WorkDep,
    actor: CurrentActor,
    epci: Annotated[str | None, Query(pattern=r"^[0-9]{9}$")] = None,
) -> list[BalanceOut]:
    """Solde de chaque collectivité en minutes (positif : elle a plus prêté qu'emprunté)."""
    async with work.begin() as uow:
        found = await ledger.balances(uow, actor, epci)
    return [_out(b) for b in found]


@router.get("/balances/epci")
async def balances_by_epci(work: WorkDep, actor: CurrentActor) -> list[BalanceOut]:
    """Solde par intercommunalité ; les prêts internes à une EPCI s'y compensent."""
    async with work.begin() as uow:
        found = await ledger.balances_by_epci(uow, actor)
    return [_out(b) for b in found]
