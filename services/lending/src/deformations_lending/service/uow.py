"""Lending's unit of work: the repositories a use case works with, over one transaction.

A fast test subclasses it with in-memory repositories (see ``tests/service/fakes.py``).
"""

from deformations_common.unit_of_work import UnitOfWork
from deformations_lending.repositories.collectivites import CollectiviteRepository
from deformations_lending.repositories.ledger import LedgerRepository
from deformations_lending.repositories.loans import LoanRepository
from deformations_lending.repositories.offers import OfferRepository
from deformations_lending.repositories.proposals import ProposalRepository
from deformations_lending.settings import LendingSettings


class LendingUnitOfWork(UnitOfWork[LendingSettings]):
    @property
    def offers(self) -> OfferRepository:
        return OfferRepository(self.conn)

    @property
    def loans(self) -> LoanRepository:
        return LoanRepository(self.conn)

    @property
    def proposals(self) -> ProposalRepository:
        return ProposalRepository(self.conn)

    @property
    def collectivites(self) -> CollectiviteRepository:
        return CollectiviteRepository(self.conn)

    @property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self.conn)
