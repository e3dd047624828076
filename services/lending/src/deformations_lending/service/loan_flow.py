"""One command on an existing loan: lock, authorise, decide, write, emit.

Every loan and session command goes through :func:`change_loan`; each passes a
``decide`` function, the domain rule that gives the loan's new state and its events.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from uuid import UUID

from deformations_common.logging import get_logger
from deformations_contracts.events.lending import LoanParty
from deformations_lending import events
from deformations_lending.domain.collectivites import describe
from deformations_lending.domain.errors import LoanNotFoundError
from deformations_lending.domain.events import DomainEvent
from deformations_lending.domain.ledger import LedgerTransaction
from deformations_lending.domain.loan_model import Loan
from deformations_lending.domain.offers import Offer
from deformations_lending.domain.policy import Actor, Command, Parties
from deformations_lending.repositories.loan_records import LoanRecord, People, SessionPlace
from deformations_lending.service.access import allow
from deformations_lending.service.uow import LendingUnitOfWork

log = get_logger()


@dataclass(frozen=True, slots=True)
class Change:
    """What a command decided: the new loan, its events, and what the rows keep besides."""

    loan: Loan
    events: tuple[DomainEvent, ...]
    people: People | None = None
    places: Mapping[UUID, SessionPlace] | None = None
    ledger: LedgerTransaction | None = None
    note: str | None = None  # a reason the events carry (see ``events.for_loan``)


Decide = Callable[[LoanRecord, Offer], Awaitable[Change]]


def party_of(actor: Actor, loan: Loan) -> LoanParty:
    return LoanParty.LENDER if actor.authority == loan.lender else LoanParty.BORROWER


async def change_loan(
    uow: LendingUnitOfWork, actor: Actor, loan_id: UUID, command: Command, decide: Decide
) -> LoanRecord:
    """Apply ``decide`` to the locked loan and its offer; the loan as stored after."""
    offer_id = await uow.loans.offer_of_loan(loan_id)
    if offer_id is None:
        raise LoanNotFoundError("Ce prêt n'existe pas.")
    # Offer first, then loan: the order the schema's triggers take them in.
    offer = await uow.offers.get_offer(offer_id, for_update=True)
    record = await uow.loans.get_loan(loan_id, for_update=True)
    assert offer is not None
    assert record is not None
    loan = record.loan
    allow(
        actor,
        command,
        Parties(lender=loan.lender, borrower=loan.borrower, agent=record.people.agent),
    )
    change = await decide(record, offer)
    if change.ledger is not None:
        await uow.ledger.insert_ledger_transaction(change.ledger)
    await uow.loans.save_loan(
        record, change.loan, people=change.people, new_places=change.places, now=uow.now()
    )
    after = await uow.loans.get_loan(loan_id)
    assert after is not None
    await uow.emit_many(
        events.for_loan(
            change.events,
            after,
            offer,
            borrower=describe(after.loan.borrower),
            stage_before=events.stage_of(record),
            acted_by=party_of(actor, record.loan),
            note=change.note,
        )
    )
    log.info(
        "lending.loan_changed",
        loan_id=str(loan_id),
        command=command.value,
        status=after.loan.status.value,
    )
    return after
