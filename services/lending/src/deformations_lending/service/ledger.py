"""The hours ledger: who lends and who borrows, per collectivité and per EPCI."""

from deformations_lending.domain.policy import Actor, Command, Parties
from deformations_lending.repositories.ledger import Balance
from deformations_lending.service.access import allow
from deformations_lending.service.uow import LendingUnitOfWork


async def balances(uow: LendingUnitOfWork, actor: Actor, epci: str | None) -> list[Balance]:
    """Each collectivité's balance in minutes (positive: it lent more than it borrowed)."""
    allow(actor, Command.VIEW_LEDGER, Parties())
    return await uow.ledger.balances(epci=epci)


async def balances_by_epci(uow: LendingUnitOfWork, actor: Actor) -> list[Balance]:
    """Balances per intercommunalité; loans inside one EPCI cancel out there."""
    allow(actor, Command.VIEW_LEDGER, Parties())
    return await uow.ledger.balances_by_epci()
