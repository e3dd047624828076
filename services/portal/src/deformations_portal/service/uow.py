"""The portal's unit of work names its repositories; fakes override them in tests."""

from deformations_common.unit_of_work import UnitOfWork
from deformations_portal.repositories.journal import JournalRepository
from deformations_portal.repositories.memberships import MembershipRepository
from deformations_portal.repositories.people import PersonRepository
from deformations_portal.repositories.recipes import RecipeEditRepository
from deformations_portal.repositories.signin import SignInRepository
from deformations_portal.settings import PortalSettings


class PortalUow(UnitOfWork[PortalSettings]):
    @property
    def persons(self) -> PersonRepository:
        return PersonRepository(self.conn)

    @property
    def memberships(self) -> MembershipRepository:
        return MembershipRepository(self.conn)

    @property
    def signin(self) -> SignInRepository:
        return SignInRepository(self.conn)

    @property
    def journal(self) -> JournalRepository:
        return JournalRepository(self.conn)

    @property
    def recipe_edits(self) -> RecipeEditRepository:
        return RecipeEditRepository(self.conn)
