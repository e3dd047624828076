"""The hours ledger: who lends and who borrows, per collectivité and per EPCI."""

from typing import Annotated

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal
from deformations_common.service import RuntimeDep
from deformations_lending.api.common import allow
from deformations_lending.api.schemas import BalanceOut
from deformations_lending.domain.ledger import hours
from deformations_lending.domain.policy import Command, Parties
from deformations_lending.repositories import ledger
from deformations_lending.repositories.ledger import Balance

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
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    epci: Annotated[str | None, Query(pattern=r"^[0-9]{9}$")] = None,
) -> list[BalanceOut]:
    """Solde de chaque collectivité en minutes (positif : elle a plus prêté qu'emprunté)."""
    allow(principal, Command.VIEW_LEDGER, Parties())
    async with runtime.pool.acquire() as conn:
        found = await ledger.balances(conn, epci=epci)
    return [_out(b) for b in found]


@router.get("/balances/epci")
async def balances_by_epci(runtime: RuntimeDep, principal: CurrentPrincipal) -> list[BalanceOut]:
    """Solde par intercommunalité ; les prêts internes à une EPCI s'y compensent."""
    allow(principal, Command.VIEW_LEDGER, Parties())
    async with runtime.pool.acquire() as conn:
        found = await ledger.balances_by_epci(conn)
    return [_out(b) for b in found]
