"""The unit of work of matching: its repositories over one transaction, and the offer book."""

from deformations_common.geography import Geography
from deformations_common.scope import PlatformScope
from deformations_common.unit_of_work import UnitOfWork
from deformations_matching.repositories.diagnoses import DiagnosisRepository
from deformations_matching.repositories.erasure import ErasureRepository
from deformations_matching.repositories.memberships import MembershipRepository
from deformations_matching.repositories.offers import OfferRepository
from deformations_matching.repositories.peers import PeerRepository
from deformations_matching.repositories.plans import PlanRepository
from deformations_matching.repositories.proposals import ProposalRepository
from deformations_matching.repositories.rebonds import RebondRepository
from deformations_matching.repositories.requests import RequestRepository
from deformations_matching.service.book import OfferBook, book_for
from deformations_matching.settings import MatchingSettings


class MatchingUow(UnitOfWork[MatchingSettings]):
    """Fast tests subclass it with in-memory repositories (see ``tests/service/fakes.py``)."""

    @property
    def offers(self) -> OfferRepository:
        return OfferRepository(self.conn)

    @property
    def requests(self) -> RequestRepository:
        return RequestRepository(self.conn)

    @property
    def diagnoses(self) -> DiagnosisRepository:
        return DiagnosisRepository(self.conn)

    @property
    def memberships(self) -> MembershipRepository:
        return MembershipRepository(self.conn)

    @property
    def peers(self) -> PeerRepository:
        return PeerRepository(self.conn)

    @property
    def plans(self) -> PlanRepository:
        return PlanRepository(self.conn)

    @property
    def proposals(self) -> ProposalRepository:
        return ProposalRepository(self.conn)

    @property
    def rebonds(self) -> RebondRepository:
        return RebondRepository(self.conn)

    @property
    def erasure(self) -> ErasureRepository:
        return ErasureRepository(self.conn)

    @property
    def book(self) -> OfferBook:
        """The in-memory offer index of this process for the service's database."""
        return book_for(self.settings)

    @property
    def geography(self) -> Geography:
        return self.book.geography

    @property
    def scope(self) -> PlatformScope:
        """The platform's territory: matching proposes nothing outside it."""
        return self.settings.platform_scope()
