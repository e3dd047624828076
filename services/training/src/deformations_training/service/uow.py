"""The training unit of work: its repositories over the transaction's connection."""

from deformations_common.unit_of_work import UnitOfWork
from deformations_training.repositories.bodies import BodyRepository
from deformations_training.repositories.budgets import BudgetRepository
from deformations_training.repositories.enrolments import EnrolmentRepository
from deformations_training.repositories.evaluations import EvaluationRepository
from deformations_training.repositories.journeys import RebondRepository
from deformations_training.repositories.offers import OfferRepository
from deformations_training.repositories.people import PersonRepository
from deformations_training.repositories.programmes import (
    BoussoleRepository,
    CarnetRepository,
    EnqueteRepository,
    OpenSpaceRepository,
    ProgrammeRepository,
)
from deformations_training.service.places import Places
from deformations_training.settings import TrainingSettings


class TrainingUow(UnitOfWork[TrainingSettings]):
    @property
    def bodies(self) -> BodyRepository:
        return BodyRepository(self.conn)

    @property
    def offers(self) -> OfferRepository:
        return OfferRepository(self.conn)

    @property
    def enrolments(self) -> EnrolmentRepository:
        return EnrolmentRepository(self.conn)

    @property
    def rebonds(self) -> RebondRepository:
        return RebondRepository(self.conn)

    @property
    def evaluations(self) -> EvaluationRepository:
        return EvaluationRepository(self.conn)

    @property
    def budgets(self) -> BudgetRepository:
        return BudgetRepository(self.conn)

    @property
    def people(self) -> PersonRepository:
        return PersonRepository(self.conn)

    @property
    def programmes(self) -> ProgrammeRepository:
        return ProgrammeRepository(self.conn)

    @property
    def carnets(self) -> CarnetRepository:
        return CarnetRepository(self.conn)

    @property
    def open_spaces(self) -> OpenSpaceRepository:
        return OpenSpaceRepository(self.conn)

    @property
    def boussoles(self) -> BoussoleRepository:
        return BoussoleRepository(self.conn)

    @property
    def enquetes(self) -> EnqueteRepository:
        return EnqueteRepository(self.conn)

    @property
    def places(self) -> Places:
        return Places()
