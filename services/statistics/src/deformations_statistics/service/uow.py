"""The statistics unit of work: its repository and the places of the COG."""

from deformations_common.scope import PlatformScope
from deformations_common.unit_of_work import UnitOfWork
from deformations_statistics.repositories.facts import FactRepository
from deformations_statistics.service.gazetteer import CogGazetteer, cog_gazetteer
from deformations_statistics.settings import StatisticsSettings


class StatisticsUow(UnitOfWork[StatisticsSettings]):
    @property
    def facts(self) -> FactRepository:
        return FactRepository(self.conn)

    @property
    def places(self) -> CogGazetteer:
        return cog_gazetteer()

    @property
    def scope(self) -> PlatformScope:
        """The platform's territory (PLATFORM_FILE): only its départements are counted."""
        return self.settings.platform_scope()
